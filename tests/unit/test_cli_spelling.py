"""cli.spelled_long: short options spelled long before click parses (click spends about
a millisecond on each short option, building a NoSuchOption error it then discards)."""

import click
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from siocli import cli


def connect_params():
    with click.Context(cli.main) as ctx:
        command = cli.main.get_command(ctx, "connect")
        return command, command.get_params(click.Context(command))


def parsed(args):
    """What click's parser makes of ``args`` for `connect` (values and order), or the
    kind of error it raises."""
    command, _ = connect_params()
    ctx = click.Context(command)
    try:
        values, rest, order = command.make_parser(ctx).parse_args(args=list(args))
    except click.UsageError as error:
        return type(error).__name__
    return values, rest, [param.name for param in order]


def test_known_short_options_are_spelled_long():
    _, params = connect_params()
    assert cli.spelled_long(params, ["-e", "x", "-c", "y", "-x", "z", "-k", "-l", "a*"]) == [
        "--emit", "x", "--call", "y", "--expect", "z", "--insecure", "--listen", "a*"]


def test_option_values_and_what_follows_the_double_dash_are_kept():
    _, params = connect_params()
    assert cli.spelled_long(params, ["-H", "-e", "-q", "-c", "--", "-e"]) == [
        "--header", "-e", "--query", "-c", "--", "-e"]
    assert cli.spelled_long(params, ["-ex", "--emit=-c", "-c"]) == ["-ex", "--emit=-c", "--call"]


TOKENS = st.sampled_from(["-e", "-c", "-x", "-H", "-q", "-k", "-n", "-t", "-l", "--", "x",
                          "-ey", "--emit", "--emit=z", "--json", "-o", "-z", "--wait", "1",
                          "websocket", "http://h"])


@given(st.lists(TOKENS, max_size=12))
def test_click_reads_the_spelled_args_as_it_reads_the_given_ones(args):
    _, params = connect_params()
    assert parsed(cli.spelled_long(params, args)) == parsed(args)


def test_the_order_of_actions_is_kept(tmp_path):
    seen = {}

    @click.command(cls=cli.ConnectCommand)
    @click.option("-e", "--emit", multiple=True)
    @click.option("-c", "--call", multiple=True)
    @click.option("-x", "--expect", multiple=True)
    @click.pass_context
    def command(ctx, emit, call, expect):
        seen["order"] = ctx.meta["siocli.action_order"]

    result = CliRunner().invoke(command, ["-c", "a", "-e", "b", "-x", "c",
                                                        "-e", "d"])
    assert result.exit_code == 0, result.output
    assert seen["order"] == ["call", "emit", "expect", "emit"]
