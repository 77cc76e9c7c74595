"""Documents the association prints and publishes (issue 14): the 入会申请表 (PDF and xlsx), the
申报材料清单, the new-member lists and the year's statistics.

Plain Python: ``form.py`` says what a printed form holds (shared by the PDF and the xlsx so both show
the same thing), ``pdf.py`` renders HTML/CSS templates from ``templates/documents/`` with WeasyPrint.
"""
