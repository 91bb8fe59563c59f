"""``redact models``: the named models, where each is looked for, and whether it is present."""

from __future__ import annotations

import json

import click

from ..models import known_models, search_paths


@click.command("models")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def command(as_json: bool) -> None:
    """List known model names and where checkpoints are looked for ($REDACT_HOME/checkpoints too)."""
    rows = known_models()
    if as_json:
        click.echo(json.dumps({"search_paths": [str(p) for p in search_paths()], "models": rows}, indent=2))
        return
    click.echo("looked for in: " + ", ".join(str(p) for p in search_paths()))
    for r in rows:
        flag = r["origin"] if r["present"] else "missing (train it: redact train minilm ... -o DIR)"
        click.echo(f"{r['name']:<20}{'(default) ' if r['default'] else '':<10}{flag:<22}  {r['path']}")
