"""The load scenarios. A scenario is a name, a kind, and a function from the prepared World
(learners, tags, speeches of one server) to the requests the load generator cycles through.
Adding one takes a few lines: write the function and decorate it with @scenario."""

import asyncio
import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any, Literal

import httpx

API = "/api/v1"
LEVELS = ("A1", "A2", "B1", "B2", "C1")  # the demo catalog's levels
SENTENCE_TYPES = ("question", "answer")
LEARNERS = 20
PASSWORD = "SecurePass123"
SEEDED_SESSIONS = 5  # per learner, so that the session list reads real rows
VARIANTS = 200  # distinct requests per scenario, so no cache sees one request

# "read" scenarios get the headline ray/uvicorn ratio; "cpu" ones measure work that any server
# spends the same CPU on (Argon2, speech recognition), so their ratio says little.
Kind = Literal["read", "write", "cpu", "mix"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(
        cls, method: str, path: str, payload: Any, headers: Mapping[str, str] | None = None
    ) -> "Request":
        headers = {"content-type": "application/json", **(headers or {})}
        return cls(method, path, headers, json.dumps(payload).encode())


@dataclass(frozen=True)
class Learner:
    email: str
    password: str
    token: str
    user_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """What one server's scenarios build on. Each server gets its own learners, so what one
    server's scenarios save never changes what the other's read."""

    client: httpx.Client
    learners: list[Learner]
    tag_ids: list[str]
    speech_ids: dict[tuple[str, str], list[str]]  # (level, type) -> ids in the catalog
    rng: random.Random

    def game_session(self) -> dict[str, Any]:
        """A valid listen-only session of 10 results over speeches of one level and type."""
        level, sentence_type = self.rng.choice(sorted(self.speech_ids))
        speech_ids = self.rng.sample(self.speech_ids[level, sentence_type], 10)
        responses = self.rng.choices(("correct", "incorrect", "skipped"), (6, 3, 1), k=10)
        runs = [len(list(run)) for response, run in groupby(responses) if response == "correct"]
        completed = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=self.rng.randrange(10**5))
        return {
            "mode": "listen_only",
            "level": level,
            "sentence_type": sentence_type,
            "selected_tags": self.rng.sample(self.tag_ids, 2),
            "total_sentences": 10,
            "correct_count": responses.count("correct"),
            "max_streak": max(runs, default=0),
            "avg_pronunciation_score": None,
            "duration_seconds": 300,
            "started_at": (completed - timedelta(minutes=5)).isoformat(),
            "completed_at": completed.isoformat(),
            "results": [
                {
                    "speech_id": speech_ids[n - 1],
                    "sequence_number": n,
                    "user_response": responses[n - 1],
                    "pronunciation_score": None,
                    "recognized_text": None,
                    "response_time_ms": self.rng.randrange(500, 6000),
                }
                for n in range(1, 11)
            ],
        }

    def learner(self, n: int) -> Learner:
        return self.learners[n % len(self.learners)]


def prepare_world(client: httpx.Client, label: str, seed: int = 4) -> World:
    """Registers this server's learners, reads the tags and the catalog's speech
    ids, and saves a few sessions per learner."""
    learners = []
    for n in range(LEARNERS):
        email = f"bench-{label}-{n}@example.com"
        answer = client.post(
            f"{API}/auth/register", json={"email": email, "password": PASSWORD, "name": "Learner"}
        ).raise_for_status()
        body = answer.json()
        learners.append(Learner(email, PASSWORD, body["access_token"], body["user"]["id"]))
    tags = client.get(f"{API}/tags").raise_for_status().json()["tags"]
    tag_ids = [t["id"] for t in tags]
    speech_ids = {}
    for level in LEVELS:
        for sentence_type in SENTENCE_TYPES:
            answer = client.post(
                f"{API}/game/speeches/random",
                json={"level": level, "type": sentence_type, "tags": tag_ids, "limit": 50},
                headers=learners[0].auth,
            ).raise_for_status()
            speech_ids[level, sentence_type] = [s["id"] for s in answer.json()["speeches"]]
    world = World(client, learners, tag_ids, speech_ids, random.Random(seed))
    for learner in learners:
        for _ in range(SEEDED_SESSIONS):
            client.post(
                f"{API}/game/sessions", json=world.game_session(), headers=learner.auth
            ).raise_for_status()
    return world


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: Kind
    note: str
    build: Callable[[World], list[Request]]
    # CPU-bound work only queues behind more connections than this: a smaller number
    # measures the same rate, with latencies that say something.
    max_connections: int | None = None


SCENARIOS: dict[str, Scenario] = {}


def scenario(
    name: str, kind: Kind, note: str, max_connections: int | None = None
) -> Callable[[Callable[[World], list[Request]]], Callable[[World], list[Request]]]:
    """Registers a scenario; they run in the order they are defined."""

    def register(build: Callable[[World], list[Request]]) -> Callable[[World], list[Request]]:
        SCENARIOS[name] = Scenario(name, kind, note, build, max_connections)
        return build

    return register


@scenario("health", "read", "GET /health: the serving stack alone, no database")
def health(world: World) -> list[Request]:
    return [Request("GET", f"{API}/health")]


@scenario("tags", "read", "GET /tags: public, one small query")
def tags(world: World) -> list[Request]:
    return [Request("GET", f"{API}/tags")]


@scenario("random_speeches", "read", "POST /game/speeches/random: 004's main read, 10 speeches")
def random_speeches(world: World) -> list[Request]:
    return [
        Request.json(
            "POST",
            f"{API}/game/speeches/random",
            {
                "level": world.rng.choice(LEVELS),
                "type": world.rng.choice(SENTENCE_TYPES),
                "tags": world.rng.sample(world.tag_ids, world.rng.randint(1, 3)),
                "limit": 10,
            },
            world.learner(n).auth,
        )
        for n in range(VARIANTS)
    ]


# Before save_session: both servers then list the same number of seeded sessions per learner.
@scenario("sessions_list", "read", "GET /game/sessions: a learner's history, first page")
def sessions_list(world: World) -> list[Request]:
    return [
        Request("GET", f"{API}/game/sessions?page=1&limit=20", world.learner(n).auth)
        for n in range(LEARNERS)
    ]


@scenario("save_session", "write", "POST /game/sessions: one transaction, 10 results")
def save_session(world: World) -> list[Request]:
    return [
        Request.json("POST", f"{API}/game/sessions", world.game_session(), world.learner(n).auth)
        for n in range(VARIANTS)
    ]


@scenario("curriculum_stages", "read", "GET /curriculum/stages: the curriculum, held in memory")
def curriculum_stages(world: World) -> list[Request]:
    return [
        Request("GET", f"{API}/curriculum/stages", world.learner(n).auth) for n in range(LEARNERS)
    ]


@scenario("courses", "read", "GET /courses: every course, by title (demo courses)")
def courses(world: World) -> list[Request]:
    return [Request("GET", f"{API}/courses")]


@scenario("learner_stats", "read", "GET /users/stats: the learner's record, computed when asked")
def learner_stats(world: World) -> list[Request]:
    return [Request("GET", f"{API}/users/stats", world.learner(n).auth) for n in range(LEARNERS)]


MIX = {"random_speeches": 50, "sessions_list": 20, "tags": 10, "save_session": 10, "health": 10}


@scenario("mixed", "mix", "weighted: " + ", ".join(f"{name} {w}%" for name, w in MIX.items()))
def mixed(world: World) -> list[Request]:
    pools = {name: SCENARIOS[name].build(world) for name in MIX}
    picks = world.rng.choices(list(MIX), weights=list(MIX.values()), k=1000)
    return [world.rng.choice(pools[name]) for name in picks]


@scenario(
    "login",
    "cpu",
    "POST /auth/login: measures Argon2id hashing (tens of ms of CPU each), not the stack",
    # A replica on 2 cores admits 9 password checks (1 running, 8 waiting) and refuses the
    # rest with 503 at once; more connections would measure those refusals.
    max_connections=8,
)
def login(world: World) -> list[Request]:
    return [
        Request.json("POST", f"{API}/auth/login", {"email": x.email, "password": x.password})
        for x in world.learners
    ]


SCORED_SENTENCE = "Could you tell me where the nearest train station is, please?"  # 3.2 s


@scenario(
    "speech_score",
    "cpu",
    "POST /speech/score: a 3-second WAV, multipart; measures PocketSphinx recognition",
    max_connections=4,
)
def speech_score(world: World) -> list[Request]:
    from adapters.speech.espeak import EspeakSynthesizer  # loads eSpeak NG: only when run

    wav = asyncio.run(EspeakSynthesizer().synthesize(SCORED_SENTENCE)).audio
    upload = httpx.Request(
        "POST",
        "http://bench/",
        data={"reference_text": SCORED_SENTENCE},
        files={"audio": ("take.wav", wav, "audio/wav")},
    )
    headers = {"content-type": upload.headers["content-type"]}
    return [
        Request("POST", f"{API}/speech/score", {**headers, **world.learner(n).auth}, upload.read())
        for n in range(LEARNERS)
    ]


TUTOR_TURNS = [
    "Yesterday I go to the park with my friends.",
    "I like cooking because it is relaxing.",
    "She have a new job in a big company.",
    "What do you usually do at the weekend?",
]


@scenario(
    "tutor_turn",
    "cpu",
    "POST /conversations/sessions/{id}/text: a tutor turn (SmolLM2 reply + Harper corrections)",
    max_connections=2,
)
def tutor_turn(world: World) -> list[Request]:
    """A session per request, so that no two connections race on one session (that is a
    409 by design)."""
    requests = []
    for n in range(VARIANTS):
        learner = world.learner(n)
        started = world.client.post(
            f"{API}/conversations/sessions", json={"level": "A2"}, headers=learner.auth
        )
        started.raise_for_status()
        path = f"{API}/conversations/sessions/{started.json()['id']}/text"
        text = TUTOR_TURNS[n % len(TUTOR_TURNS)]
        requests.append(Request.json("POST", path, {"text": text}, learner.auth))
    return requests
