"""Tutor: the deployment that holds the tutor's language model and grammar checker and
answers turns. Sessions live in the database, so any replica can answer any turn."""

from ray import serve

from deployments.log_format import configure_logging
from deployments.providers import build_tutor
from deployments.settings import Settings
from ports.tutoring import TurnContext, TutorReply


@serve.deployment(name="Tutor")
class TutorDeployment:
    def __init__(self) -> None:
        settings = Settings()
        configure_logging(settings.log_level)
        self._tutor = build_tutor(settings)

    async def reply(self, context: TurnContext, learner_text: str) -> TutorReply:
        return await self._tutor.reply(context, learner_text)
