"""The modes of a run, one each: scripted, batch (piped stdin), the client REPL, serve
and demo. `runner` owns the event loop, the signals and the frame of a connected run;
`prompt` holds what both REPLs share. Modes import each other only through `runner`,
`prompt` and `batch`."""
