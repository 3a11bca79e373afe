"""Former name of ``openai_usage_client.spend.sections`` (the report's spend sections), kept
so that ``from openai_usage_client.spend.report import spend_sections`` goes on working; the
module was renamed so that it no longer reads as the ``report`` package."""

from .sections import SpendSections, TeamSpend, spend_sections, team_spend

__all__ = ["SpendSections", "TeamSpend", "spend_sections", "team_spend"]
