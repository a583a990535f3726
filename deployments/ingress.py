"""What Ray Serve's ingress runs around every request before it reaches a replica: the
launcher names `proxy_middlewares` in RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH.

Ray's ingress echoes the X-Request-ID it received (the client's, whatever its length, or
its own) next to the one the app answers with. Running the app's RequestIdMiddleware
outside Ray's makes them one: it cuts the client's id before Ray reads it, and folds both
answers into one header. Imported by Ray's proxy process: keep it light."""

from starlette.middleware import Middleware

from adapters.http.middleware import RequestIdMiddleware


def proxy_middlewares() -> list[Middleware]:
    return [Middleware(RequestIdMiddleware)]
