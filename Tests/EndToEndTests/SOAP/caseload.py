"""The appeals caseload service on spyne, started by the tests as
`/usr/bin/python3 caseload.py PORT` (Debian's python3-spyne, Python 3.11).

Two mounts of the same service: /plain, and /secure which demands a WS-Security UsernameToken
for user "gateway" (PasswordDigest or PasswordText, password in CASELOAD_PASSWORD), checked here
with lxml independently of Portage. Each publishes spyne's own WSDL at ?wsdl: the tests import it
with `portage import wsdl` and call the service through the gateway.
"""
import base64
import hashlib
import hmac
import os
import sys
from datetime import date, datetime, timezone
from decimal import Decimal as Exact
from wsgiref.simple_server import WSGIRequestHandler, make_server

from spyne import Application, Array, ComplexModel, Date, DateTime, Decimal, Fault, Integer, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication
from spyne.util.wsgi_wrapper import WsgiMounter

TNS = "urn:example:appeals:caseload"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"


class Person(ComplexModel):
    __namespace__ = TNS
    Given = Unicode
    Family = Unicode


class Note(ComplexModel):
    __namespace__ = TNS
    At = DateTime
    Author = Person
    Text = Unicode


class Case(ComplexModel):
    __namespace__ = TNS
    CaseId = Integer
    Status = Unicode(values=["OPEN", "HEARD", "CLOSED"])
    Opened = Date
    Appellant = Person
    Notes = Array(Note)
    Award = Decimal(total_digits=12, fraction_digits=2)


class CaseNotFound(Fault):
    __namespace__ = TNS

    def __init__(self, case_id):
        super().__init__(
            faultcode="Client.CaseNotFound", faultstring="No appeal case %d" % case_id,
            detail={"CaseNotFound": {"CaseId": str(case_id)}})


CASES = {
    5001: dict(
        CaseId=5001, Status="HEARD", Opened=date(2026, 3, 2), Appellant=Person(Given="Élodie", Family="Gagnon"),
        Notes=[
            Note(At=datetime(2026, 3, 2, 14, 5, tzinfo=timezone.utc), Author=Person(Given="Raj", Family="Patel"), Text="Appeal received; file complete."),
            Note(At=datetime(2026, 5, 19, 10, 30, tzinfo=timezone.utc), Author=Person(Given="Ana", Family="Silva"), Text="Hearing held; decision reserved."),
        ],
        Award=Exact("15320.75")),
    5002: dict(CaseId=5002, Status="OPEN", Opened=date(2026, 10, 30), Appellant=Person(Given="Tom", Family="Hughes"), Notes=[]),
}


class Caseload(ServiceBase):
    @rpc(Integer, _returns=Case, _throws=CaseNotFound)
    def GetCase(ctx, CaseId):
        if CaseId not in CASES:
            raise CaseNotFound(CaseId)
        return Case(**CASES[CaseId])

    @rpc(Unicode(values=["OPEN", "HEARD", "CLOSED"]), _returns=Array(Integer))
    def ListCases(ctx, Status):
        return [number for number, case in sorted(CASES.items()) if case["Status"] == Status]


def require_token(ctx):
    """Refuses the call unless the envelope carries a valid UsernameToken."""
    envelope = ctx.in_document
    token = envelope.find(".//{%s}UsernameToken" % WSSE) if envelope is not None else None
    secret = os.environ["CASELOAD_PASSWORD"]
    if token is not None and token.findtext("{%s}Username" % WSSE) == "gateway":
        password = token.find("{%s}Password" % WSSE)
        kind = password.get("Type", "") if password is not None else ""
        if kind.endswith("#PasswordText") and hmac.compare_digest(password.text or "", secret):
            return
        nonce = base64.b64decode(token.findtext("{%s}Nonce" % WSSE) or "")
        created = token.findtext("{%s}Created" % WSU) or ""
        if kind.endswith("#PasswordDigest") and len(nonce) >= 8 and created:
            expected = base64.b64encode(hashlib.sha1(nonce + created.encode() + secret.encode()).digest()).decode()
            if hmac.compare_digest(password.text or "", expected):
                return
    raise Fault("Client.FailedAuthentication", "The security token could not be authenticated")


def application(name):
    app = Application([Caseload], tns=TNS, name=name, in_protocol=Soap11(validator="lxml"), out_protocol=Soap11())
    if name == "SecureCaseload":
        app.event_manager.add_listener("method_call", require_token)
    return WsgiApplication(app)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    mounts = WsgiMounter({"plain": application("Caseload"), "secure": application("SecureCaseload")})
    server = make_server("127.0.0.1", int(sys.argv[1]), mounts, handler_class=QuietHandler)
    server.serve_forever()
