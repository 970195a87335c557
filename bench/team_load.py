"""Concurrent sessions on the team set-up: 20 signed-in sessions changing filters at once, through
HAProxy, on two replicas and on one, side by side in one run.

Standalone: ``.venv/bin/python bench/team_load.py`` (``make bench-team``; about 3 minutes).
Writes its tables to stdout and to ``bench/results/team/latest.{md,json}``.

What runs is :class:`dashboard.team.demo.Team`, as ``make team`` starts it: PostgreSQL 15, the
store set up with the app's role, two replicas of the app, HAProxy with ``deploy/haproxy.cfg``
and the OpenID Connect test provider. Two users (OFFICIAL and SECRET) sign in once in Chromium;
each session is then a websocket of its own speaking Streamlit's protocol with that user's
cookies (without HAProxy's ``SRV`` cookie, so HAProxy spreads the sessions over the replicas).
A session's step is what a filter change is to the server: a rerun of the map page with the
link's new filters (``theme=...``), timed from the request to the run's ``script_finished``, and
checked: the page must have drawn its summary line ("N findings · ...") and no exception.

"One process" is the same HAProxy, cookies and store with replica ``b`` stopped, so every
session lands on ``a``. Rounds alternate (one process, two, one, two, ...), each after a warm-up
round that is not counted, so a change of load on the machine hits both alike. The findings are
the bundled ones: the store holds no import, so nothing here is anyone's data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "team"
THEMES = ("propaganda", "recruitment", "refugees", "violence", "ideology", "state-response")
SUMMARY = re.compile(r"^\*\*\d+ findings? ·")
SIGN_IN_SCREEN = "Sign in to see the findings."


@dataclass
class Round:
    layout: str  # "one process" or "two replicas"
    times: list[float] = field(default_factory=list)  # seconds, one per step
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    served_by: dict[str, int] = field(default_factory=dict)  # websockets per replica

    def record(self) -> dict:
        return {
            "layout": self.layout,
            "times": self.times,
            "errors": self.errors,
            "wall": self.wall,
            "served_by": self.served_by,
        }


async def rerun(ws, query: str) -> tuple[float, list[str], str | None]:
    """One rerun with *query* as the link's parameters: its time, its markdown, its error."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = BackMsg(rerun_script=ClientState(query_string=query))
    start = time.perf_counter()
    await ws.send(message.SerializeToString())
    texts: list[str] = []
    error = None
    while True:
        raw = await asyncio.wait_for(ws.recv(), timeout=60)
        forward = ForwardMsg()
        forward.ParseFromString(raw)
        kind = forward.WhichOneof("type")
        if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
            element = forward.delta.new_element
            which = element.WhichOneof("type")
            if which == "markdown":
                texts.append(element.markdown.body)
            elif which == "exception":
                error = f"exception: {element.exception.type}: {element.exception.message}"
        elif kind == "script_finished":
            if forward.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                return time.perf_counter() - start, texts, error
            if forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return (
                    time.perf_counter() - start,
                    texts,
                    f"script_finished={forward.script_finished}",
                )


async def session(
    url: str, cookies: dict[str, str], steps: int, think: float, seed: int, out: Round
):
    import websockets

    rng = random.Random(seed)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Origin": url}
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    protocols = ["streamlit", cookies["_streamlit_xsrf"]]
    try:
        async with websockets.connect(
            ws_url, subprotocols=protocols, additional_headers=headers, max_size=None
        ) as ws:
            await rerun(ws, "")  # the session's first run: not a filter change
            await asyncio.sleep(rng.uniform(0, think))
            for _ in range(steps):
                query = f"theme={rng.choice(THEMES)}"
                took, texts, error = await rerun(ws, query)
                if error is None and any(SIGN_IN_SCREEN in t for t in texts):
                    error = "the sign-in screen: the session is not signed in"
                if error is None and not any(SUMMARY.match(t) for t in texts):
                    error = "no summary line drawn"
                if error:
                    out.errors.append(error)
                else:
                    out.times.append(took)
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    except Exception as err:  # a refused or dropped connection is an error of the round
        out.errors.append(f"{type(err).__name__}: {err}")


async def load(
    url: str,
    users: list[dict[str, str]],
    sessions: int,
    steps: int,
    think: float,
    layout: str,
    seed: int,
) -> Round:
    out = Round(layout)
    start = time.perf_counter()
    await asyncio.gather(
        *(
            session(url, users[i % len(users)], steps, think, seed * 1000 + i, out)
            for i in range(sessions)
        )
    )
    out.wall = time.perf_counter() - start
    return out


def signed_in_cookies(team, subs: list[str]) -> list[dict[str, str]]:
    """Sign each of *subs* in through HAProxy in Chromium; their cookies, without ``SRV``."""
    from playwright.sync_api import sync_playwright

    from tests.browser.signin_support import sign_in

    found = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for sub in subs:
            context = browser.new_context()
            page = context.new_page()
            sign_in(page, team, sub)
            page.get_by_text("Signed in as").wait_for(timeout=30_000)
            found.append({c["name"]: c["value"] for c in context.cookies() if c["name"] != "SRV"})
            context.close()
        browser.close()
    return found


def served_by(log: Path, since: int) -> dict[str, int]:
    """How many websockets each replica served, from HAProxy's log after byte *since*."""
    with open(log, encoding="utf-8", errors="replace") as lines:
        lines.seek(since)
        found = re.findall(r"replicas/(\w+) .*GET /_stcore/stream", lines.read())
    return {name: found.count(name) for name in sorted(set(found))}


def quantile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]
        if len(values) > 1
        else values[0]
    )


def summary(rounds: list[Round], layout: str) -> dict:
    mine = [r for r in rounds if r.layout == layout]
    times = [t for r in mine for t in r.times]
    steps = sum(len(r.times) + len(r.errors) for r in mine)
    return {
        "layout": layout,
        "rounds": len(mine),
        "reruns": len(times),
        "errors": sum(len(r.errors) for r in mine),
        "median_ms": statistics.median(times) * 1000 if times else None,
        "p95_ms": quantile(times, 0.95) * 1000 if times else None,
        "max_ms": max(times) * 1000 if times else None,
        "per_round_median_ms": [statistics.median(r.times) * 1000 for r in mine if r.times],
        "reruns_per_s": steps / sum(r.wall for r in mine) if mine else None,
        "served_by": {
            name: sum(r.served_by.get(name, 0) for r in mine)
            for name in sorted({n for r in mine for n in r.served_by})
        },
    }


def markdown(rows: list[dict], meta: dict) -> str:
    lines = [
        "# Team set-up under load",
        "",
        f"{meta['when']}, commit {meta['commit']}: {meta['sessions']} concurrent signed-in "
        f"sessions (two users), {meta['steps']} filter changes each per round, think time "
        f"{meta['think']} s (0.5-1.5x), {meta['rounds']} rounds per layout alternating, through "
        f"HAProxy; 1-minute load average {meta['load_before']:.2f} before, "
        f"{meta['load_after']:.2f} after; {meta['cpus']} CPUs.",
        "",
        "| Layout | Sessions per replica | Reruns | Errors | Median | p95 | Max | Round medians "
        "| Reruns/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rounds = ", ".join(f"{m:.0f}" for m in r["per_round_median_ms"])
        by = ", ".join(f"{name}: {n}" for name, n in r["served_by"].items())
        lines.append(
            f"| {r['layout']} | {by} | {r['reruns']} | {r['errors']} | {r['median_ms']:.0f} ms | "
            f"{r['p95_ms']:.0f} ms | {r['max_ms']:.0f} ms | {rounds} ms | {r['reruns_per_s']:.1f} |"
        )
    one, two = rows
    lines += [
        "",
        f"Two replicas against one process: median {one['median_ms'] / two['median_ms']:.2f}x "
        f"faster, p95 {one['p95_ms'] / two['p95_ms']:.2f}x faster.",
        "",
        "A rerun is timed from the request (a BackMsg rerun with the link's new `theme=`) to "
        "the run's `script_finished`, as the server sends it; the browser's drawing is not in "
        "it (bench/README.md has the browser's own figures).",
    ]
    if meta.get("errors"):
        lines += ["", "Errors seen: " + "; ".join(sorted(set(meta["errors"])))[:2000]]
    return "\n".join(lines) + "\n"


def main() -> int:
    import os
    import subprocess

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    from dashboard.team.demo import DEMO_USERS, Team, provider

    load_before = os.getloadavg()[0]
    rounds: list[Round] = []
    with provider() as provider_url, tempfile.TemporaryDirectory() as folder:
        team = Team(Path(folder), provider_url).start()
        try:
            users = signed_in_cookies(team, [DEMO_USERS[0][0], DEMO_USERS[1][0]])
            for n in range(args.rounds):
                for layout in ("one process", "two replicas"):
                    if layout == "one process":
                        team.replicas["b"].kill()
                        time.sleep(3)  # HAProxy sees b down (2 failed checks, 1 s apart)
                    else:
                        team.start_replica("b")
                        time.sleep(2)  # HAProxy sees b up (1 check)
                    warm = asyncio.run(
                        load(team.url, users, args.sessions, 2, args.think, layout, 99)
                    )
                    logged = team.proxy.log.stat().st_size
                    measured = asyncio.run(
                        load(team.url, users, args.sessions, args.steps, args.think, layout, n)
                    )
                    time.sleep(1.5)  # HAProxy logs a websocket when it closes
                    measured.served_by = served_by(team.proxy.log, logged)
                    rounds.append(measured)
                    print(
                        f"round {n + 1} {layout}: {len(measured.times)} reruns, "
                        f"{len(measured.errors)} errors (warm-up: {len(warm.errors)} errors), "
                        f"median {statistics.median(measured.times) * 1000:.0f} ms"
                        if measured.times
                        else f"round {n + 1} {layout}: no rerun: {measured.errors[:3]}",
                        flush=True,
                    )
        finally:
            team.stop()
    rows = [summary(rounds, "one process"), summary(rounds, "two replicas")]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    meta = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "commit": commit,
        "sessions": args.sessions,
        "steps": args.steps,
        "think": args.think,
        "rounds": args.rounds,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "errors": [e for r in rounds for e in r.errors],
    }
    text = markdown(rows, meta)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.md").write_text(text, encoding="utf-8")
    (args.out / "latest.json").write_text(
        json.dumps(
            {"meta": meta, "summary": rows, "rounds": [r.record() for r in rounds]}, indent=1
        ),
        encoding="utf-8",
    )
    return 0 if all(r["reruns"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
