"""The session core: python-socketio's client, made to behave and report like the JS
client's Manager and Sockets, turned into records. Knows nothing of screens or modes."""
