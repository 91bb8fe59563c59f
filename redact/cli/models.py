import click


@click.command("models")
def command() -> None:
    """Not yet available."""
    raise click.ClickException("not yet implemented")
