"""The application builder that serve_config.yaml imports."""

from ray.serve import Application

from deployments.gateway import Gateway
from deployments.speech_io import SpeechIO
from deployments.speech_scoring import SpeechScoring
from deployments.tutor import TutorDeployment


def build_app(args: dict[str, str]) -> Application:
    return Gateway.bind(SpeechScoring.bind(), TutorDeployment.bind(), SpeechIO.bind())
