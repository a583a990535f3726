// The try page: sign in, say a sentence and see it scored, talk with the tutor. Every call
// goes through api.js, the public API's client.

import { ApiError, Parla } from "./api.js";

const api = new Parla();
const $ = (selector) => document.querySelector(selector);
const MAX_TAKE_SECONDS = 30; // the API's limit on a recording

function say(status, text, isError = false) {
  status.textContent = text;
  status.classList.toggle("error", isError);
}

function describe(error) {
  return error instanceof ApiError ? error.message : `Something went wrong: ${error.message}`;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("data-")) node.setAttribute(name, value);
    else node[name] = value;
  }
  node.append(...children);
  return node;
}

/** Plays `src` on an <audio>, its progress in data-state (playing, ended, error) for tests. */
async function play(audio, src) {
  if (audio.dataset.url) URL.revokeObjectURL(audio.dataset.url);
  audio.dataset.url = src.startsWith("blob:") ? src : "";
  audio.src = src;
  audio.dataset.state = "loading";
  audio.onended = () => (audio.dataset.state = "ended");
  audio.onerror = () => (audio.dataset.state = "error");
  try {
    await audio.play();
    audio.dataset.state = "playing";
  } catch (error) {
    audio.dataset.state = "error";
    throw error;
  }
}

function audioOf({ media_type, data_base64 }) {
  const bytes = Uint8Array.from(atob(data_base64), (c) => c.charCodeAt(0));
  return URL.createObjectURL(new Blob([bytes], { type: media_type }));
}

/** The microphone, recorded as WebM/Opus where the browser can (M4A on Safari). */
class Recorder {
  constructor(clock) {
    this.clock = clock;
  }

  get recording() {
    return this.recorder?.state === "recording";
  }

  async start(onLimit) {
    if (!navigator.mediaDevices) {
      throw new Error("browsers allow it on https:// pages and on localhost only");
    }
    // Raw sound scores best: no echo cancellation or noise suppression reshaping the speech.
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false },
    });
    const mimeType = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"].find(
      (type) => MediaRecorder.isTypeSupported(type),
    );
    this.recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
    this.chunks = [];
    this.recorder.ondataavailable = (event) => this.chunks.push(event.data);
    this.recorder.start();
    const started = Date.now();
    this.timer = setInterval(() => {
      const seconds = (Date.now() - started) / 1000;
      this.clock.textContent = `${seconds.toFixed(0)} s`;
      if (seconds >= MAX_TAKE_SECONDS) onLimit();
    }, 250);
  }

  /** The take as a Blob and a file name whose extension tells its format. */
  async stop() {
    clearInterval(this.timer);
    this.clock.textContent = "";
    const recorder = this.recorder;
    const stopped = new Promise((resolve) => (recorder.onstop = resolve));
    recorder.stop();
    await stopped;
    recorder.stream.getTracks().forEach((track) => track.stop());
    const type = recorder.mimeType || "audio/webm";
    const extension = type.startsWith("audio/mp4") ? "m4a" : type.split(/[/;]/)[1];
    return { blob: new Blob(this.chunks, { type }), filename: `take.${extension}` };
  }
}

// Account

function showAccount() {
  const user = api.user;
  $("#auth-form").hidden = Boolean(user);
  $("#signed-in").hidden = !user;
  if (user) {
    $("#user-name").textContent = user.name;
    $("#user-email").textContent = user.email;
  }
  for (const button of document.querySelectorAll("[data-needs-account]")) {
    button.disabled = !user;
    button.title = user ? "" : "Sign up or log in first";
  }
}

$("#auth-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const { email, password, name } = Object.fromEntries(new FormData(form));
  const status = $("#account-status");
  try {
    if (event.submitter?.value === "login") await api.logIn(email, password);
    else await api.register(email, password, name || email.split("@")[0]);
    form.reset();
    say(status, "");
  } catch (error) {
    say(status, describe(error), true);
  }
  showAccount();
});

$("#log-out").addEventListener("click", async () => {
  try {
    await api.logOut();
  } catch (error) {
    say($("#account-status"), describe(error), true);
  }
  closeConversation();
  showAccount();
});

// Say a sentence

let picked = null; // the catalogue speech last picked: its text and audio_url

async function loadTags() {
  const groups = new Map();
  for (const tag of await api.tags()) {
    const category = tag.category || "other";
    if (!groups.has(category)) groups.set(category, []);
    groups.get(category).push(tag);
  }
  const container = $("#tag-groups");
  container.replaceChildren();
  for (const [category, tags] of groups) {
    const boxes = tags.map((tag) =>
      element("label", { class: "inline" },
        element("input", { type: "checkbox", name: "tags", value: tag.id }), ` ${tag.name}`),
    );
    container.append(element("fieldset", {}, element("legend", {}, category), ...boxes));
  }
}

$("#pick-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  let tags = form.getAll("tags");
  if (!tags.length) tags = [...document.querySelectorAll("[name=tags]")].map((box) => box.value);
  const status = $("#practice-status");
  try {
    const [speech] = await api.randomSpeeches({
      level: form.get("level"),
      type: form.get("type"),
      tags,
    });
    if (!speech) {
      say(status, "No sentence of that level, kind and topic: choose others.", true);
      return;
    }
    picked = speech;
    $("#sentence").value = speech.text;
    say(status, `A ${speech.level} ${speech.type}: listen, then record yourself.`);
  } catch (error) {
    say(status, describe(error), true);
  }
});

function sentence() {
  return $("#sentence").value.trim();
}

$("#listen").addEventListener("click", async () => {
  const text = sentence();
  const status = $("#practice-status");
  if (!text) {
    say(status, "Pick or type a sentence first.", true);
    $("#sentence").focus();
    return;
  }
  try {
    // The catalogue's recording while the text is the picked one; a synthesized voice else.
    const src =
      picked && picked.text === text ? picked.audio_url : URL.createObjectURL(await api.synthesize(text));
    await play($("#model-audio"), src);
    say(status, "Playing the sentence.");
  } catch (error) {
    say(status, describe(error), true);
  }
});

const takeRecorder = new Recorder($("#record-clock"));

async function toggleTake() {
  const button = $("#record");
  const status = $("#practice-status");
  if (!takeRecorder.recording) {
    if (!sentence()) {
      say(status, "Pick or type a sentence first.", true);
      $("#sentence").focus();
      return;
    }
    try {
      await takeRecorder.start(toggleTake);
    } catch (error) {
      say(status, `The microphone is not available: ${error.message}`, true);
      return;
    }
    button.textContent = "Stop and score";
    button.setAttribute("aria-pressed", "true");
    say(status, "Recording: say the sentence, then stop.");
    return;
  }
  button.textContent = "Record";
  button.setAttribute("aria-pressed", "false");
  const { blob, filename } = await takeRecorder.stop();
  const take = $("#take");
  if (take.dataset.url) URL.revokeObjectURL(take.dataset.url);
  take.dataset.url = take.src = URL.createObjectURL(blob);
  say(status, "Scoring your take…");
  button.disabled = true;
  try {
    const result = await api.score(blob, filename, sentence());
    showResult(result);
    const scores = OVERALL.map((name) => `${name} ${Math.round(result[`${name}_score`])}`);
    say(status, `Scored: ${scores.join(", ")}. Choose a word to see its sounds.`);
  } catch (error) {
    say(status, describe(error), true);
  } finally {
    button.disabled = false;
  }
}

$("#record").addEventListener("click", toggleTake);

/** Colour bands of a score, as the legend states them, of the whole number shown. */
function band(score) {
  const shown = Math.round(score);
  return shown >= 80 ? "good" : shown >= 60 ? "fair" : "poor";
}

const OVERALL = ["pronunciation", "accuracy", "fluency", "completeness"]; // *_score fields

const ERROR_WORDS = {
  Mispronunciation: "mispronounced",
  Omission: "omitted",
  Insertion: "inserted",
};

function showResult(result) {
  $("#result").hidden = false;
  $("#result").dataset.result = JSON.stringify(result);
  $("#result-json").textContent = JSON.stringify(result, null, 2);
  $("#recognized").textContent = result.recognized_text;
  $("#overall").replaceChildren(
    ...OVERALL.map((name) => {
      const score = result[`${name}_score`];
      return element("div", { class: `score band-${band(score)}`, "data-name": name },
        element("dt", {}, name[0].toUpperCase() + name.slice(1)),
        element("dd", {}, Math.round(score).toString(),
          element("meter", { min: 0, max: 100, value: score, title: `${name} ${score}` })));
    }),
  );
  const words = result.word_scores.map((word) => {
    const error = word.error_type !== "None" ? ERROR_WORDS[word.error_type] : "";
    const button = element("button", {
      type: "button",
      class: `word band-${band(word.score)} err-${word.error_type}`,
      "data-error-type": word.error_type,
      "data-score": String(word.score),
      ariaExpanded: "false",
      ariaLabel: `${word.word}: ${Math.round(word.score)}${error ? `, ${error}` : ""}`,
    },
      element("span", { class: "text" }, word.word),
      element("span", { class: "mark", ariaHidden: "true" }, Math.round(word.score).toString()));
    button.addEventListener("click", () => showPhonemes(word, button));
    return element("li", {}, button);
  });
  $("#words").replaceChildren(...words);
  $("#phonemes").replaceChildren();
}

function showPhonemes(word, button) {
  for (const other of document.querySelectorAll("#words .word")) other.ariaExpanded = "false";
  button.ariaExpanded = "true";
  const panel = $("#phonemes");
  const title = element("p", {}, "Sounds of ", element("strong", {}, word.word),
    `: ${Math.round(word.score)}`,
    word.error_type !== "None" ? `, ${ERROR_WORDS[word.error_type]}` : "");
  if (!word.phonemes.length) {
    panel.replaceChildren(title, element("p", { class: "hint" }, "No sounds were scored for this word."));
    return;
  }
  const rows = word.phonemes.map((p) =>
    element("li", { class: `phoneme band-${band(p.score)}`, "data-score": String(p.score) },
      element("span", { class: "symbol" }, p.phoneme),
      element("span", { class: "value" }, Math.round(p.score).toString())),
  );
  panel.replaceChildren(title, element("ul", { ariaLabel: `Sounds of ${word.word}` }, ...rows));
}

// Talk with the tutor

let socket = null;
let sessionId = null;
let lastLearner = null; // the learner's last message, where corrections of the turn go

function addMessage(who, text) {
  const item = element("li", { class: `message ${who}` },
    element("span", { class: "who" }, who === "tutor" ? "Tutor" : who === "learner" ? "You" : ""),
    element("p", { class: "text" }, text));
  $("#chat").append(item);
  item.scrollIntoView({ block: "nearest" });
  return item;
}

function addTutorMessage(text, audio) {
  const item = addMessage("tutor", text);
  const src = audioOf(audio);
  const again = element("button", { type: "button", class: "secondary small" }, "Play");
  again.addEventListener("click", () => play($("#reply-audio"), src).catch(() => {}));
  item.append(again);
  if ($("#speak-replies").checked) play($("#reply-audio"), src).catch(() => {});
}

/** The learner's text with each corrected span marked, then the corrections listed. */
function showCorrections(item, { corrections, corrected_text }) {
  if (!item || !corrections.length) return;
  const text = item.querySelector(".text");
  const original = text.textContent;
  const parts = [];
  let at = 0;
  for (const c of [...corrections].sort((a, b) => a.start - b.start)) {
    if (c.start < at) continue; // overlapping spans: the first one is marked
    parts.push(original.slice(at, c.start), element("mark", {}, original.slice(c.start, c.end)));
    at = c.end;
  }
  parts.push(original.slice(at));
  text.replaceChildren(...parts);
  const list = corrections.map((c) =>
    element("li", {},
      element("del", {}, c.original), c.suggestion ? " → " : "",
      c.suggestion ? element("ins", {}, c.suggestion) : "", ` ${c.message}`));
  item.append(element("ul", { class: "corrections", ariaLabel: "Corrections" }, ...list));
  if (corrected_text) {
    item.append(element("p", { class: "corrected" }, "Corrected: ",
      element("q", {}, corrected_text)));
  }
}

function busy(isBusy) {
  for (const control of $("#say-form").querySelectorAll("input, button")) {
    if (control.id !== "end") control.disabled = isBusy;
  }
}

function openConversation(options, resumedOnce = false) {
  const status = $("#tutor-status");
  say(status, "Connecting…");
  const current = api.tutorSocket(options);
  socket = current;
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    switch (message.type) {
      case "greeting":
      case "resumed":
        sessionId = message.session_id;
        if (message.type === "greeting") addTutorMessage(message.text, message.audio);
        $("#say-form").hidden = false;
        busy(false);
        say(status, "Your turn: type or speak.");
        $("#say").focus();
        break;
      case "transcription":
        lastLearner = addMessage("learner", message.text);
        say(status, "The tutor is answering…");
        break;
      case "response":
        showCorrections(lastLearner, message.analysis);
        addTutorMessage(message.text, message.audio);
        $("#tutor").dataset.lastResponse = JSON.stringify(message);
        busy(false);
        say(status, "Your turn.");
        break;
      case "session_ended":
        say(status, "Conversation ended.");
        break;
      case "error":
        busy(false);
        say(status, message.message, true);
        break;
    }
  };
  socket.onclose = async (event) => {
    if (socket !== current) return; // a conversation the learner left for a new one
    // 4401: the access token expired while the page was open; refresh and resume.
    if (event.code === 4401 && !resumedOnce && sessionId) {
      try {
        await api.refresh();
        openConversation({ sessionId }, true);
        return;
      } catch (error) {
        say(status, describe(error), true);
      }
    }
    socket = null;
    $("#say-form").hidden = true;
    if (event.code !== 1000) say(status, "The conversation was cut off: start it again.", true);
  };
}

function closeConversation() {
  socket?.close();
  socket = null;
  sessionId = null;
}

$("#start-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  closeConversation();
  $("#chat").replaceChildren();
  openConversation({ level: form.get("level"), topic: form.get("topic").trim() });
});

$("#say-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("#say").value.trim();
  if (!text || !socket) return;
  lastLearner = addMessage("learner", text);
  socket.send(JSON.stringify({ type: "text", text }));
  $("#say").value = "";
  busy(true);
  say($("#tutor-status"), "The tutor is answering…");
});

const talkRecorder = new Recorder($("#talk-clock"));

async function toggleTalk() {
  const button = $("#talk");
  const status = $("#tutor-status");
  if (!talkRecorder.recording) {
    try {
      await talkRecorder.start(toggleTalk);
    } catch (error) {
      say(status, `The microphone is not available: ${error.message}`, true);
      return;
    }
    button.textContent = "Stop and send";
    button.setAttribute("aria-pressed", "true");
    say(status, "Listening: speak, then stop.");
    return;
  }
  button.textContent = "Speak";
  button.setAttribute("aria-pressed", "false");
  const { blob } = await talkRecorder.stop();
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  socket?.send(JSON.stringify({ type: "audio", audio: btoa(binary) }));
  busy(true);
  say(status, "The tutor is listening…");
}

$("#talk").addEventListener("click", toggleTalk);

$("#end").addEventListener("click", () => {
  socket?.send(JSON.stringify({ type: "end" }));
});

showAccount();
loadTags().catch((error) => say($("#practice-status"), describe(error), true));
