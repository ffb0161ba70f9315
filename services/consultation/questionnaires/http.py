"""What the questionnaires' API modules share: the caller, and refusals turned into problems."""
from __future__ import annotations

from flask import g

from shared.http.concurrency import required_version, stale
from shared.http.problems import Problem, invalid

from services.consultation.members import domain as members
from services.consultation.questionnaires import answers, answers_service, domain, service
from services.consultation.tables import access

NOT_PERMITTED = ("not-permitted", "the caller does not manage this table (operator, or its named coordinator), "
                 "does not act for this organisation at this table, or (results) is a representative")
ORGANISATION = (("organisation-withdrawn", "the organisation withdrew from the network"),
                ("organisation-suspended", "the organisation is suspended"),
                ("unknown-organisation", "the organisation is not in the replicated register"),
                ("shared-organisation", "the organisation belongs to another Ambito's register"))
TABLE_CLOSED = ("table-closed", "the table is closed: its questionnaires change no more")
STATE = ("questionnaire-state", "not in the state this needs (edit and open: draft; close: open; answer: open)")
CLOSED = ("questionnaire-closed", "the questionnaire is closed (by the office, or its closing time has passed)")


def caller() -> access.Caller:
    return access.Caller(g.principal.subject, g.roles)


def run(action):
    """Run the use case; its refusals become problems (fresh instances each time)."""
    try:
        return action()
    except (service.QuestionnaireNotFound, answers_service.AnswerSetNotFound):
        raise Problem(404, "Not Found", "No such record in this Ambito.", slug="not-found") from None
    except (service.StaleQuestionnaire, answers_service.StaleAnswerSet) as exc:
        raise stale(exc.current_version) from None
    except answers_service.AnswerSetVersionRequired:
        required_version()  # no If-Match was sent: this raises the platform's 428
        raise
    except domain.InvalidField as exc:
        raise invalid((exc.field, exc.message)) from None
    except answers.InvalidAnswers as exc:
        raise invalid(*((f"question.{n}", f"question {n}: {m}") for n, m in exc.errors)) from None
    except access.NotAllowed as exc:
        raise Problem(403, "Forbidden", str(exc), slug="not-permitted") from None
    except (members.NotAllowed, domain.QuestionnaireError) as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None
