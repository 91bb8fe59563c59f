import click


@click.command("run")
def command() -> None:
    """Not yet available."""
    raise click.ClickException("not yet implemented")
