"""The try page (adapters/http/static/try) in headless Chromium, Debian's build, through
`make run`'s Ray Serve. Chromium's fake microphone plays a WAV of eSpeak NG saying SAID: the
page records it (MediaRecorder, WebM/Opus), has it scored and shows each word and sound,
and speaks it to the tutor after a typed turn.

TRY_PAGE_SCREENSHOTS=docs also saves both flows at desktop and phone widths there (the README
shows them)."""

import asyncio
import io
import json
import math
import os
import re
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect, sync_playwright

from adapters.speech.espeak import EspeakSynthesizer
from tests.support.api import PASSWORD
from tests.support.services import unavailable

CHROMIUM = Path("/usr/bin/chromium")
SAID = "Where is the nearest train station"
# The sentence the learner means to say: the take says "train" where it has "bus".
SENTENCE = "Where is the nearest bus station"
TURN_MS = 120_000  # a tutor turn or a scoring on a busy 2-core machine, with room to spare
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def take(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A 16-bit PCM WAV of SAID with silence around it, and how long to record it for.
    The fake microphone loops the file from the moment the page opens it: a take that stops
    in the trailing silence holds the sentence once."""
    speech = asyncio.run(EspeakSynthesizer().synthesize(SAID, speed=0.9)).audio
    with wave.open(io.BytesIO(speech)) as source:
        rate, frames = source.getframerate(), source.readframes(source.getnframes())
    lead, tail = b"\0\0" * int(rate * 0.5), b"\0\0" * int(rate * 2.0)
    path = tmp_path_factory.mktemp("take") / "take.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(lead + frames + tail)
    seconds = (len(lead) + len(frames)) / 2 / rate + 0.8
    return path, seconds


@pytest.fixture(scope="module")
def browser(
    take: tuple[Path, float], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        unavailable(f"No Chromium at {CHROMIUM}: `make test` installs Debian's package")
    args = [
        "--headless",
        "--no-sandbox",  # as root
        "--disable-gpu",
        # No connections of Chromium's own: on a closed network they are refused and slow it.
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={take[0]}",
    ]
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),
            executable_path=CHROMIUM,
            args=args,
            viewport=DESKTOP,
        )
        yield context
        context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    page = browser.new_page()
    page.set_default_timeout(30_000)
    yield page
    page.close()


def shown(score: float) -> str:
    """A score as the page shows it: JavaScript's Math.round, halves up."""
    return str(math.floor(score + 0.5))


def sign_up(page: Page, server: str) -> None:
    page.goto(server)  # "/" leads to the page
    expect(page).to_have_url(f"{server}/try/")
    form = page.locator("#auth-form")
    form.get_by_label("Email").fill(f"browser-{uuid.uuid4().hex[:12]}@example.com")
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_label("Name").fill("Browser Learner")
    form.get_by_role("button", name="Sign up").click()
    expect(page.locator("#user-name")).to_have_text("Browser Learner")


def only_public_routes(server: str, requests: list[Request]) -> None:
    """The page's requests to the API are OpenAPI operations, or the audio links it handed out:
    a reference client needs no private route."""
    operations = httpx.get(f"{server}/openapi.json").json()["paths"]
    templates = [
        (method.upper(), re.compile(re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"))
        for path, methods in operations.items()
        for method in methods
    ]
    audio_urls = set()
    for request in requests:
        if request.url.endswith("/api/v1/game/speeches/random") and request.response():
            audio_urls |= {s["audio_url"] for s in request.response().json()["speeches"]}
    for request in requests:
        url = urlsplit(request.url)
        if request.url.startswith("blob:") or not url.path.startswith("/api/"):
            continue
        if request.url in audio_urls:
            continue
        assert any(
            method == request.method and template.match(url.path) for method, template in templates
        ), f"{request.method} {url.path} is not a public operation"


def screenshots(page: Page, section: str, name: str) -> None:
    folder = os.environ.get("TRY_PAGE_SCREENSHOTS")
    if not folder:
        return
    page.locator(section).screenshot(path=Path(folder) / f"try-{name}-desktop.png")
    page.set_viewport_size(PHONE)
    page.locator(section).screenshot(path=Path(folder) / f"try-{name}-phone.png")
    page.set_viewport_size(DESKTOP)


def styles(page: Page, selector: str) -> dict[str, str]:
    return page.locator(selector).evaluate(
        """node => {
            const box = getComputedStyle(node);
            const text = getComputedStyle(node.querySelector('.text') || node);
            return {background: box.backgroundColor, border: box.borderTopStyle,
                    decoration: text.textDecorationLine + ' ' + text.textDecorationStyle};
        }"""
    )


def test_a_recorded_take_is_scored_word_by_word_and_sound_by_sound(
    server: str, page: Page, take: tuple[Path, float]
):
    requests: list[Request] = []
    page.on("requestfinished", lambda request: requests.append(request))
    sign_up(page, server)
    practice = page.locator("#practice")
    model = page.locator("#model-audio")

    # A sentence from the catalogue plays its own recording.
    practice.get_by_label("Level").select_option("A1")
    with page.expect_response("**/api/v1/game/speeches/random") as picked:
        practice.get_by_role("button", name="New sentence from the catalogue").click()
    speech = picked.value.json()["speeches"][0]
    expect(page.locator("#sentence")).to_have_value(speech["text"])
    practice.get_by_role("button", name="Listen").click()
    expect(model).to_have_attribute("data-state", re.compile("playing|ended"))
    assert model.evaluate("audio => audio.currentSrc") == speech["audio_url"]

    # A sentence of one's own is synthesized.
    page.locator("#sentence").fill(SENTENCE)
    with page.expect_response("**/api/v1/speech/synthesize"):
        practice.get_by_role("button", name="Listen").click()
    expect(model).to_have_attribute("data-state", re.compile("playing|ended"))

    practice.get_by_role("button", name="Record").click()
    expect(practice.get_by_role("button", name="Stop and score")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.wait_for_timeout(take[1] * 1000)
    with page.expect_response("**/api/v1/speech/score", timeout=TURN_MS) as scored:
        practice.get_by_role("button", name="Stop and score").click()
    assert scored.value.status == 200, scored.value.text()
    answer = scored.value.json()

    # A real take of the sentence: most of its words were heard.
    heard = [w for w in answer["word_scores"] if w["error_type"] == "None"]
    assert len(heard) >= len(SENTENCE.split()) // 2, answer

    result = page.locator("#result")
    expect(result).to_be_visible()
    assert json.loads(result.get_attribute("data-result")) == answer
    for name, field in [
        ("pronunciation", "pronunciation_score"),
        ("accuracy", "accuracy_score"),
        ("fluency", "fluency_score"),
        ("completeness", "completeness_score"),
    ]:
        expect(result.locator(f'[data-name="{name}"] dd')).to_have_text(shown(answer[field]))
    expect(page.locator("#recognized")).to_have_text(answer["recognized_text"])

    # Each word as the API scored it, coloured as the legend says.
    words = page.locator("#words .word")
    expect(words).to_have_count(len(answer["word_scores"]))
    legend = {
        key: styles(page, f'.legend [data-legend="{key}"]')
        for key in ("good", "fair", "poor", "Mispronunciation", "Omission", "Insertion")
    }
    for index, scored_word in enumerate(answer["word_scores"]):
        word = words.nth(index)
        error, score = scored_word["error_type"], scored_word["score"]
        expect(word.locator(".text")).to_have_text(scored_word["word"])
        expect(word.locator(".mark")).to_have_text(shown(score))
        assert word.get_attribute("data-error-type") == error
        assert float(word.get_attribute("data-score")) == score
        # The band colours a word, its error type marks it; an omitted or inserted word
        # takes its type's colour.
        band = "good" if int(shown(score)) >= 80 else "fair" if int(shown(score)) >= 60 else "poor"
        look = styles(page, f"#words li:nth-child({index + 1}) .word")
        colour = legend[error] if error in ("Omission", "Insertion") else legend[band]
        assert look["background"] == colour["background"], (scored_word, look)
        assert look["border"] == colour["border"], (scored_word, look)
        mark = legend[band] if error == "None" else legend[error]
        assert look["decoration"] == mark["decoration"], (scored_word, look)

    # The sounds of the weakest word, by keyboard.
    index, chosen = min(
        ((i, w) for i, w in enumerate(answer["word_scores"]) if w["phonemes"]),
        key=lambda w: w[1]["score"],
    )
    words.nth(index).focus()
    page.keyboard.press("Enter")
    expect(words.nth(index)).to_have_attribute("aria-expanded", "true")
    sounds = page.locator("#phonemes .phoneme")
    expect(sounds.locator(".symbol")).to_have_text([p["phoneme"] for p in chosen["phonemes"]])
    expect(sounds.locator(".value")).to_have_text([shown(p["score"]) for p in chosen["phonemes"]])

    # The take to listen again is the one scored: WebM/Opus, which the API scores alike.
    media_type, recording = page.locator("#take").evaluate(
        """async audio => {
            const blob = await (await fetch(audio.src)).blob();
            const bytes = new Uint8Array(await blob.arrayBuffer());
            return [blob.type, Array.from(bytes, b => String.fromCharCode(b)).join('')];
        }"""
    )
    assert media_type.startswith("audio/webm")
    token = json.loads(page.evaluate("sessionStorage.getItem('parla.tokens')"))["access_token"]
    again = httpx.post(
        f"{server}/api/v1/speech/score",
        headers={"Authorization": f"Bearer {token}"},
        data={"reference_text": SENTENCE},
        files={"audio": ("take.webm", recording.encode("latin-1"), media_type)},
        timeout=TURN_MS / 1000,
    )
    assert again.status_code == 200, again.text
    rescored = again.json()
    # The offline scorer's scores can differ in the last decimal from one run to the next.
    assert rescored["recognized_text"] == answer["recognized_text"]
    assert [w["word"] for w in rescored["word_scores"]] == [
        w["word"] for w in answer["word_scores"]
    ]
    assert rescored["pronunciation_score"] == pytest.approx(answer["pronunciation_score"], abs=2)
    only_public_routes(server, requests)
    page.get_by_text("What the colours mean").click()
    screenshots(page, "#practice", "score")


def test_a_conversation_with_the_tutor_by_text_and_by_voice(
    server: str, page: Page, take: tuple[Path, float]
):
    received: list[dict] = []
    sockets: list[str] = []

    def watch(socket) -> None:
        sockets.append(socket.url)
        socket.on("framereceived", lambda frame: received.append(json.loads(frame)))

    page.on("websocket", watch)
    requests: list[Request] = []
    page.on("requestfinished", lambda request: requests.append(request))
    sign_up(page, server)
    tutor = page.locator("#tutor")
    tutor.get_by_label("Level").select_option("A2")
    tutor.get_by_label("Topic").fill("sports")
    tutor.get_by_role("button", name="Start a conversation").click()
    replies = page.locator("#chat .message.tutor .text")
    expect(replies).to_have_count(1, timeout=TURN_MS)
    greeting = next(m for m in received if m["type"] == "greeting")
    expect(replies.first).to_have_text(greeting["text"])
    assert [urlsplit(url).path for url in sockets] == ["/api/v1/ws/english-only"]

    tutor.get_by_label("Your message").fill("I has a bicycle.")
    tutor.get_by_label("Your message").press("Enter")
    expect(replies).to_have_count(2, timeout=TURN_MS)
    response = [m for m in received if m["type"] == "response"][-1]
    analysis = response["analysis"]
    assert analysis["corrected_text"] == "I have a bicycle."
    expect(replies.nth(1)).to_have_text(response["text"])
    expect(page.locator("#reply-audio")).to_have_attribute(
        "data-state", re.compile("playing|ended")
    )
    said = page.locator("#chat .message.learner").last
    expect(said.locator(".text")).to_have_text("I has a bicycle.")
    expect(said.locator("mark")).to_have_text([c["original"] for c in analysis["corrections"]])
    expect(said.locator(".corrections li del")).to_have_text(
        [c["original"] for c in analysis["corrections"]]
    )
    expect(said.locator(".corrections li ins")).to_have_text(
        [c["suggestion"] for c in analysis["corrections"] if c["suggestion"]]
    )
    expect(said.locator(".corrected q")).to_have_text("I have a bicycle.")

    # A spoken turn: the take goes over the socket, its transcript comes back.
    tutor.get_by_role("button", name="Speak").click()
    page.wait_for_timeout(take[1] * 1000)
    tutor.get_by_role("button", name="Stop and send").click()
    expect(replies).to_have_count(3, timeout=TURN_MS)
    transcription = next(m for m in received if m["type"] == "transcription")
    assert "station" in transcription["text"].lower(), transcription
    expect(page.locator("#chat .message.learner .text").last).to_have_text(transcription["text"])
    only_public_routes(server, requests)
    screenshots(page, "#tutor", "tutor")
