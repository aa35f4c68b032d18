"""The integrator guide's walk-through (docs/api.md's ```sh blocks), run as written: the command
that makes a client, then curl against a live server. Reference snippets that need a file or
another client's scopes (an offer file, an export) are ```bash blocks, read but not run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.test_api_orders import live, orders_placed  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "api.md"


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", GUIDE.read_text(), flags=re.S)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_the_guide_runs_as_written(app, live, orders_placed):  # noqa: F811
    people, (a1, a2, b1) = orders_placed
    create, *calls = shell_blocks()
    environ = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "STOREFRONT_ENV": "testing",
        "STOREFRONT_INSTANCE": app.config["INSTANCE_DIR"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_URL": "smtp://127.0.0.1:9",
    }
    made = subprocess.run(["bash", "-euo", "pipefail", "-c", create], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    client_id = re.search(r"client_id: (\S+)", made.stdout).group(1)
    secret = re.search(r"client_secret: (\S+)", made.stdout).group(1)

    script = "\n".join(f"{block}echo '=====' " for block in calls)
    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, capture_output=True, text=True,
        timeout=60,
        env={**environ, "SHOP": live, "CLIENT_ID": client_id, "CLIENT_SECRET": secret},
    )
    assert ran.returncode == 0, ran.stderr
    token, _set_token, waiting, one, accepted = ran.stdout.split("=====")[:5]
    assert json.loads(token)["expires_in"] == 7200
    assert [o["id"] for o in json.loads(waiting)["items"]] == [a2.number, a1.number]
    assert json.loads(one)["id"] == a2.number and "accept" in json.loads(one)["actions"]
    assert json.loads(accepted)["state"] == "SHIPPING"
