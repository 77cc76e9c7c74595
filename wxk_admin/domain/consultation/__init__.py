"""After confirmation: paper materials, expert consultation, secretariat, public notice, onboarding (SPEC §4).

Seeds: 001 (专家咨询、书记处审批、公示、工作纪律) and 002 第三条 (三)–(七), 第四条, 第五条.

One module per stage, in the order an application meets them: ``materials`` (纸质材料), ``experts``
(专家库、咨询组、随机抽取、分配), ``recusal`` (回避), ``voting`` (阅读投票与计票), ``secretariat`` (书记处),
``notice`` (公示、异议、公布), ``onboarding`` (入会手续), ``disqualification`` (取消申请资格), and ``panel``
(what the details page shows of all of them), ``queries`` (what the 会员发展 pages list); ``common`` holds
what they share.

Plain functions that take a session and an ``Actor``; they raise ``Refused`` (a
``TransitionRefused``) with a Chinese message and change nothing when refused.
Every status change goes through ``workflow.apply``; every other change writes
an audit record.  The caller commits.  Rights and rows are the ``actor.acting_as``
account's (as in ``workflow``), while who did it (收到人, 登记人, 告知人) is ``actor.user``; whether it is time
for a stage is asked of ``workflow``'s table.

Votes are secret (无记名投票, 002 第三条(三)2): nothing here returns who voted
how, except an expert's own vote to that expert (``voting.my_vote``).  While a group's
vote is open the office gets only how many have voted (``Progress``, n of m) —
no counts, no names of those who have not voted (with counts they would name the
voters); the tally comes with the close.
"""
