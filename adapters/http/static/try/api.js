// A client of Parla's public API (/api/v1): the routes and bodies the README documents, and
// nothing else. Copy it as a start for a browser client of your own.

const API = "/api/v1";
const TOKENS_KEY = "parla.tokens";

/** A failed request, with the API's one error body: error (code), message, details. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error;
    this.details = body?.details;
  }
}

async function failure(response) {
  const body = await response.json().catch(() => null);
  return new ApiError(response.status, body);
}

export class Parla {
  /** Tokens live in sessionStorage: a reload keeps the login, closing the tab ends it. */
  constructor(storage = window.sessionStorage) {
    this.storage = storage;
    this.session = JSON.parse(storage.getItem(TOKENS_KEY) || "null");
    this.refreshing = null;
  }

  get user() {
    return this.session?.user ?? null;
  }

  async register(email, password, name) {
    return this.#signIn("/auth/register", { email, password, name });
  }

  async logIn(email, password) {
    return this.#signIn("/auth/login", { email, password });
  }

  /** Ends the login session on the server (its tokens stop working) and forgets it here. */
  async logOut() {
    try {
      await this.request("POST", "/auth/logout");
    } finally {
      this.#keep(null);
    }
  }

  async tags() {
    return (await this.request("GET", "/tags", { auth: false })).tags;
  }

  /** Speeches of the level AND type AND any of the tags, each with an audio_url. */
  async randomSpeeches({ level, type, tags, limit = 1 }) {
    const body = { level, type, tags, limit };
    return (await this.request("POST", "/game/speeches/random", { json: body })).speeches;
  }

  /** The text spoken by the default voice, as an audio Blob. */
  async synthesize(text) {
    const response = await this.request("POST", "/speech/synthesize", {
      json: { text },
      raw: true,
    });
    return response.blob();
  }

  /** Scores a recording (WAV, MP3, M4A, WebM/Ogg Opus) against the text it should say. */
  async score(recording, filename, referenceText) {
    const form = new FormData();
    form.append("audio", recording, filename);
    form.append("reference_text", referenceText);
    return this.request("POST", "/speech/score", { form });
  }

  /** The English-only tutor socket; the server authenticates it by the token in the query. */
  tutorSocket({ level, topic, sessionId }) {
    const query = new URLSearchParams({ token: this.session?.access_token ?? "" });
    if (sessionId) query.set("session_id", sessionId);
    else {
      query.set("level", level);
      if (topic) query.set("topic", topic);
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return new WebSocket(`${scheme}//${location.host}${API}/ws/english-only?${query}`);
  }

  /**
   * One request; `json` or `form` is the body. With `auth`, an answer of 401 is retried once
   * after refreshing the tokens (access tokens last an hour). Resolves to the parsed JSON, or
   * the Response itself with `raw`; rejects with an ApiError.
   */
  async request(method, path, { json, form, auth = true, raw = false } = {}) {
    const send = () => {
      const headers = {};
      let body = form;
      if (json !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(json);
      }
      if (auth && this.session) headers.authorization = `Bearer ${this.session.access_token}`;
      return fetch(API + path, { method, headers, body });
    };
    let response = await send();
    if (response.status === 401 && auth && this.session) {
      await this.refresh();
      response = await send();
    }
    if (!response.ok) throw await failure(response);
    if (raw) return response;
    return response.status === 204 ? null : response.json();
  }

  /** New tokens for old; a refresh token is single-use, so concurrent callers share one. */
  async refresh() {
    this.refreshing ??= (async () => {
      try {
        const response = await fetch(`${API}/auth/refresh`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ refresh_token: this.session?.refresh_token }),
        });
        if (!response.ok) {
          this.#keep(null);
          throw await failure(response);
        }
        const tokens = await response.json();
        this.#keep({ ...this.session, ...tokens });
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  async #signIn(path, body) {
    const response = await fetch(API + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await failure(response);
    const { user, access_token, refresh_token } = await response.json();
    this.#keep({ user, access_token, refresh_token });
    return user;
  }

  #keep(session) {
    this.session = session;
    if (session) this.storage.setItem(TOKENS_KEY, JSON.stringify(session));
    else this.storage.removeItem(TOKENS_KEY);
  }
}
