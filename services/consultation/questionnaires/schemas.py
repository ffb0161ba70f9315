"""Marshmallow schemas of the questionnaires API (the HTTP edge only; the rules are in questions.py,
answers.py and domain.py, which name the field or the question they refuse)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.consultation.questionnaires import numbers
from services.consultation.questionnaires.domain import STATUSES
from services.consultation.questionnaires.questions import KINDS, MAX_OPTIONS, MAX_QUESTIONS, MAX_TEXT
from services.consultation.text import NFCString

CURSOR = r"^[A-Za-z0-9_-]{0,27}$"
ROLES = ("stakeholder", "operator", "coordinator")
NUMBER_DOC = {"description": "Numero come stringa (mai un numero JSON), es. \"12\" o \"3.75\"",
              "pattern": numbers.PATTERN}


class DecimalString(fields.String):
    """A Decimal written as a string without exponent ("3.50"), null when there is nothing; never a float."""

    def __init__(self, **kwargs):
        super().__init__(allow_none=True, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format(value, "f")


def _title(maximum: int, minimum: int = 1, **kwargs):
    return NFCString(required=True, validate=[validate.Length(min=minimum, max=maximum),
                                              validate.Regexp(r"^\s*\S", error="Must not be blank.")], **kwargs)


class QuestionIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS),
                         metadata={"description": "single_choice, multiple_choice, scale, free_text, number"})
    text = _title(1000, metadata={"description": "Il testo della domanda"})
    required = fields.Boolean(load_default=True, metadata={"description": "Risposta obbligatoria"})
    options = fields.List(NFCString(validate=validate.Length(min=1, max=300)),
                          validate=validate.Length(min=2, max=MAX_OPTIONS),
                          metadata={"description": "Le opzioni (scelta singola e multipla), in ordine"})
    min_selections = fields.Integer(strict=True, metadata={"description": "Scelta multipla: minimo (predefinito 1)"})
    max_selections = fields.Integer(strict=True, metadata={"description": "Scelta multipla: massimo"})
    scale_min = fields.Integer(strict=True, validate=validate.Range(min=-100, max=100))
    scale_max = fields.Integer(strict=True, validate=validate.Range(min=-100, max=200))
    min_label = NFCString(validate=validate.Length(max=100), metadata={"description": "Etichetta del minimo"})
    max_label = NFCString(validate=validate.Length(max=100), metadata={"description": "Etichetta del massimo"})
    max_length = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_TEXT),
                                metadata={"description": "Testo libero: lunghezza massima (predefinita 2000)"})
    integer = fields.Boolean(metadata={"description": "Numero: solo interi"})
    number_min = fields.String(validate=validate.Regexp(numbers.PATTERN), metadata=NUMBER_DOC)
    number_max = fields.String(validate=validate.Regexp(numbers.PATTERN), metadata=NUMBER_DOC)


class QuestionOut(QuestionIn):
    number = fields.Integer(metadata={"description": "Posizione (da 1): le risposte la citano"})
    # Stored as null when the office set no bound.
    number_min = fields.String(allow_none=True, metadata=NUMBER_DOC)
    number_max = fields.String(allow_none=True, metadata=NUMBER_DOC)


class QuestionnaireIn(Schema):
    table_id = fields.UUID(required=True, metadata={"description": "Il tavolo a cui è rivolto"})
    session_id = fields.UUID(load_default=None, allow_none=True,
                             metadata={"description": "Una sessione del tavolo (facoltativa)"})
    title = _title(300, minimum=3)
    introduction = NFCString(load_default="", validate=validate.Length(max=20000),
                             metadata={"description": "Introduzione per chi risponde"})
    questions = fields.List(fields.Nested(QuestionIn), load_default=list,
                            validate=validate.Length(max=MAX_QUESTIONS))


class QuestionnairePatch(Schema):
    title = _title(300, minimum=3)
    introduction = NFCString(validate=validate.Length(max=20000))
    questions = fields.List(fields.Nested(QuestionIn), validate=validate.Length(max=MAX_QUESTIONS),
                            metadata={"description": "Tutte le domande (sostituite per intero)"})


class OpenIn(Schema):
    closes_at = fields.AwareDateTime(required=True, metadata={"description": "Fino a quando si accettano risposte"})


class QuestionnaireOut(Schema):
    id = fields.UUID()
    table_id = fields.UUID()
    session_id = fields.UUID(allow_none=True)
    title = fields.String()
    introduction = fields.String()
    questions = fields.List(fields.Nested(QuestionOut))
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "draft, open, closed (closed once closes_at has passed)"})
    opened_at = fields.DateTime(allow_none=True)
    closes_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True, metadata={"description": "When the office closed it early"})
    created_by = fields.String()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class QuestionnaireListQuery(Schema):
    table_id = fields.UUID()
    session_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    after = fields.String(validate=validate.Regexp(CURSOR, error="Not a valid cursor."))


class QuestionnairePage(Schema):
    items = fields.List(fields.Nested(QuestionnaireOut))
    next_cursor = fields.String(allow_none=True)


class AnswerIn(Schema):
    question = fields.Integer(required=True, strict=True, metadata={"description": "Il numero della domanda"})
    choice = fields.Integer(strict=True, metadata={"description": "Scelta singola: indice dell'opzione (da 0)"})
    choices = fields.List(fields.Integer(strict=True), validate=validate.Length(max=MAX_OPTIONS),
                          metadata={"description": "Scelta multipla: indici delle opzioni"})
    value = fields.Integer(strict=True, metadata={"description": "Scala: il valore"})
    number = fields.String(validate=validate.Length(max=30), metadata=NUMBER_DOC)
    text = NFCString(validate=validate.Length(max=MAX_TEXT), metadata={"description": "Testo libero"})


class AnswerOut(AnswerIn):
    text = fields.String(allow_none=True, metadata={"description": "null: withheld (see texts_withheld)"})


class AnswerSetIn(Schema):
    answers = fields.List(fields.Nested(AnswerIn), required=True, validate=validate.Length(max=MAX_QUESTIONS))
    may_publish_name = fields.Boolean(load_default=False, metadata={
        "description": "L'organizzazione consente che le sue risposte libere siano mostrate con il suo nome"})
    on_behalf = fields.Boolean(load_default=False, metadata={
        "description": "Registrate dall'Ufficio di Piano per conto dell'organizzazione (es. da modulo cartaceo)"})


class AnswerSetOut(Schema):
    id = fields.UUID()
    questionnaire_id = fields.UUID()
    organisation_id = fields.UUID()
    answers = fields.List(fields.Nested(AnswerOut))
    texts_withheld = fields.Boolean(metadata={"description": "Free texts hidden: the organisation did not agree"})
    may_publish_name = fields.Boolean()
    on_behalf = fields.Boolean()
    answered_by = fields.String()
    answered_by_role = fields.String(validate=validate.OneOf(ROLES))
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RespondentOut(Schema):
    organisation_id = fields.UUID()
    organisation_name = fields.String()
    may_publish_name = fields.Boolean()
    on_behalf = fields.Boolean()
    answered_by_role = fields.String(validate=validate.OneOf(ROLES))
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RespondentPage(Schema):
    items = fields.List(fields.Nested(RespondentOut))
    next_cursor = fields.String(allow_none=True)


class PageQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(validate=validate.Regexp(CURSOR, error="Not a valid cursor."))


class OptionCount(Schema):
    index = fields.Integer()
    label = fields.String()
    count = fields.Integer()


class ScalePoint(Schema):
    value = fields.Integer()
    label = fields.String()
    count = fields.Integer()


class TextAnswer(Schema):
    text = fields.String()
    organisation_id = fields.UUID(allow_none=True, metadata={"description": "Only if the organisation agreed"})
    organisation_name = fields.String(allow_none=True, metadata={"description": "Only if the organisation agreed"})


class QuestionResult(Schema):
    number = fields.Integer()
    kind = fields.String(validate=validate.OneOf(KINDS))
    text = fields.String()
    required = fields.Boolean()
    answered = fields.Integer(metadata={"description": "How many organisations answered this question"})
    options = fields.List(fields.Nested(OptionCount))
    distribution = fields.List(fields.Nested(ScalePoint))
    mean = DecimalString(metadata={"description": "Media (scala, numero), 2 decimali; stringa"})
    min = DecimalString()
    max = DecimalString()
    median = DecimalString()
    texts = fields.List(fields.Nested(TextAnswer))


class ResultsOut(Schema):
    questionnaire_id = fields.UUID()
    title = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    respondents = fields.Integer()
    questions = fields.List(fields.Nested(QuestionResult))
