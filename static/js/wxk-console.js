/* The console's behaviour that pages would otherwise write inline (the Content-Security-Policy runs no inline
   handler): 「确定…？」 questions and Flask-Admin's list actions, declared by data- attributes. */
(function () {
  'use strict';
  // <button data-confirm="确定…？"> and <form data-confirm="…">: ask before submitting.
  document.addEventListener('click', function (ev) {
    var button = ev.target.closest('button[data-confirm], input[data-confirm]');
    if (button && !window.confirm(button.getAttribute('data-confirm'))) {
      ev.preventDefault();
    }
  });
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form.hasAttribute && form.hasAttribute('data-confirm') && !window.confirm(form.getAttribute('data-confirm'))) {
      ev.preventDefault();
    }
  }, true);
  // <a data-model-action="name">: Flask-Admin's list action over the ticked rows (actions.js's modelActions).
  document.addEventListener('click', function (ev) {
    var link = ev.target.closest('a[data-model-action]');
    if (!link) { return; }
    ev.preventDefault();
    if (window.modelActions) { window.modelActions.execute(link.getAttribute('data-model-action')); }
  });
  // Links that only open a menu or a filter (href="javascript:void(0)" in Flask-Admin's markup): never followed
  // (capture phase: before any handler that stops the event; their own handlers still run).
  document.addEventListener('click', function (ev) {
    var link = ev.target.closest && ev.target.closest('a[href^="javascript:"]');
    if (link) { ev.preventDefault(); }
  }, true);
})();
