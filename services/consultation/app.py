"""The consultation service's app factory."""
from __future__ import annotations

from shared.http.app import create_service_app

from services.consultation import SERVICE
from services.consultation.contributions.needs_api import blp as needs
from services.consultation.contributions.proposals_api import blp as proposals
from services.consultation.members.api import blp as organisations
from services.consultation.offer.api import blp as offer
from services.consultation.tables.api import blp as tables
from services.consultation.tables.members_api import blp as table_members
from services.consultation.territory.api import blp as territory
from services.consultation.sessions.api import blp as sessions
from services.consultation.sessions.registrations.api import blp as session_registrations
from services.consultation.sessions.attendance.api import blp as session_attendance
from services.consultation.sessions.minutes.api import blp as session_minutes
from services.consultation.privacy.api import blp as consultation_privacy
from services.consultation.timeline.api import blp as timeline
from services.consultation.rounds.api import blp as rounds
from services.consultation.rounds.ballots_api import blp as round_ballots
from services.consultation.questionnaires.api import blp as questionnaires
from services.consultation.questionnaires.answers_api import blp as questionnaire_answers
from services.consultation.exports.api import blp as consultation_exports
from services.consultation.documents.api import blp as consultation_documents
from services.consultation.pages import pages


def create_app(settings=None, platform=None):
    return create_service_app(service=SERVICE, title="PdZ Consultation", blueprints=[organisations, needs, proposals, offer, tables, table_members, territory, timeline,
                                                                      sessions, session_registrations, session_attendance,
                                                                      session_minutes, consultation_privacy, questionnaires, questionnaire_answers, rounds, round_ballots, consultation_exports, consultation_documents],
                              pages=pages, settings=settings, platform=platform)
