#!/usr/bin/python3
"""A real SMTP server for the email integration tests (aiosmtpd, Debian's python3-aiosmtpd).

Usage: smtp_sink.py DIR PORT
Each accepted message is written to DIR as N.eml (the raw bytes received) and N.json (what
Python's email package decodes from it: headers, envelope, each text part's decoded text), so
the C++ test checks Liaison's encoding against an independent decoder. Recipients starting with
"reject" are refused with 550.
"""
import email
import email.policy
import json
import os
import signal
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append({
                    "type": part.get_content_type(),
                    "charset": part.get_content_charset(),
                    "transfer_encoding": part.get("Content-Transfer-Encoding", ""),
                    "text": part.get_content(),
                })
        decoded = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "content_type": message.get_content_type(),
            "headers": {k.lower(): str(v) for k, v in message.items()},
            "raw_subject": message.get("Subject").as_raw if hasattr(message.get("Subject"), "as_raw") else "",
            "parts": parts,
        }
        base = os.path.join(self.directory, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(decoded, f, ensure_ascii=False)
        os.rename(base + ".eml.tmp", base + ".eml")
        os.rename(base + ".json.tmp", base + ".json")
        return "250 Message accepted"


def main():
    directory, port = sys.argv[1], int(sys.argv[2])
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("smtp_sink ready on", port, flush=True)
    # The server runs on the controller's thread; SIGTERM from the test ends the process.
    signal.pause()


if __name__ == "__main__":
    main()
