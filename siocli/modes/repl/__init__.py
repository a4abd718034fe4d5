"""The interactive REPL of `siocli connect` (and the command registry piped stdin shares)."""
