"""The machine's ceiling: a bare Flask endpoint served by the same gunicorn as the shop."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "ok"
