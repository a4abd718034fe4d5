"""`siocli doctor`: run the probe (client/probe.py) and show a row per step as it ends;
exit 0 when no step failed, else 1."""

from siocli import records
from siocli.client.auth_source import AuthSource
from siocli.client.probe import STEPS, Doctor
from siocli.errors import AuthError
from siocli.status import ExitStatus


async def run_doctor(settings, env, output, signals=None):
    """The `doctor` mode with its DoctorSettings; an exit status."""
    from siocli.output.doctor_view import DoctorView

    connection = settings.connection
    view = DoctorView(output)
    labels = dict(STEPS)
    try:
        auth = await AuthSource(connection.auth, connection.auth_cmd,
                                connection.connect_timeout).resolve()
    except AuthError as exc:
        env.error(exc)
        return ExitStatus.CONNECT_FAILED
    view.start(connection.display_url or connection.url)

    def report(result):
        view.step(records.doctor(connection.namespace, result.step, result.status,
                                 result.value, result.fix, result.ms, result.data),
                  labels[result.step])

    results = await Doctor(connection, settings.origin, auth, report,
                           lambda step: view.starting(labels[step])).run()
    view.finish()
    if any(result.status == "fail" for result in results):
        return ExitStatus.CONNECT_FAILED
    return ExitStatus.SUCCESS
