"""The Socket.IO packets `siocli doctor` sends and reads, written with the parser it was
told (--parser): the default parser's text, or socket.io-msgpack-parser's msgpack, which
travels as a binary Engine.IO message (a websocket binary frame; over polling a
``b<base64>`` packet). The msgpack packet is python-socketio's, as `connect` sends it
(client/hooks.py); what comes back is read with the JS decoders' checks (client/packets.py).
"""

import base64

from siocli.client import engine_wire

# what the server seems to use when it answers only a CONNECT written with the other
# parser, and the change of option to make: `doctor` says it as a fix ("add"), `connect`
# as a suggestion in its connect_error ("try")
SUSPECTS = {
    "default": "the server seems to use socket.io-msgpack-parser",
    "msgpack": "the server seems to use the default parser, not socket.io-msgpack-parser",
}
ACTIONS = {
    "doctor": {"default": "add", "msgpack": "leave out"},
    "connect": {"default": "try", "msgpack": "try without"},
}


def other_parser_fix(parser, who):
    """What to do when the server answers the parser other than ``parser``, in the
    words of ``who`` ("doctor" or "connect")."""
    return "%s: %s --parser msgpack" % (SUSPECTS[parser], ACTIONS[who][parser])


def other(parser):
    return "default" if parser == "msgpack" else "msgpack"


def connect_message(parser, namespace, auth):
    """The CONNECT of ``namespace`` as an Engine.IO message: text (default parser) or
    bytes (msgpack)."""
    if parser != "msgpack":
        return engine_wire.connect_packet(namespace, auth)
    from siocli.client import hooks, packets

    packet_class = hooks.msgpack_packet_class(packets.msgpack_ext)
    return packet_class(int(packets.CONNECT), data=auth or None, namespace=namespace).encode()


def polling_packet(message):
    """An Engine.IO message as a packet of a polling body (binary as ``b<base64>``)."""
    if isinstance(message, (bytes, bytearray)):
        return "b" + base64.b64encode(message).decode("ascii")
    return message


def namespace_answer(parser, message, namespace):
    """("connect", data) or ("connect_error", data) when ``message`` (a polling packet, or
    a websocket frame's text or bytes) is the server's answer to the CONNECT of
    ``namespace`` in ``parser``; else None."""
    if parser != "msgpack":
        if isinstance(message, str):
            return engine_wire.namespace_answer(message, namespace)
        return None
    from siocli.client import packets

    if isinstance(message, str) and not message.startswith("b"):
        return None
    try:
        checked = packets.check_msgpack(packets.binary_frame(message))
    except ValueError:  # packets.Rejected, or base64 that is not
        return None
    if checked.namespace != namespace or checked.kind not in (packets.CONNECT,
                                                              packets.CONNECT_ERROR):
        return None
    return ("connect" if checked.kind == packets.CONNECT else "connect_error"), checked.payload
