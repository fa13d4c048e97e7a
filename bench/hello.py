"""The baseline: a bare Falcon app answering a small JSON document."""

import falcon


class Hello:
    def on_get(self, req, resp):
        resp.media = {"hello": "world"}


app = falcon.App()
app.add_route("/hello", Hello())
