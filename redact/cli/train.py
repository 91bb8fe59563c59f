import click


@click.command("train")
def command() -> None:
    """Not yet available."""
    raise click.ClickException("not yet implemented")
