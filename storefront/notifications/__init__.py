"""Email notifications through an outbox: the worker's side of it.

- ``storefront.marketplace.outbox`` is the services' port: it records *what* to send (template,
  recipient, language, plain values, links by name) in the caller's transaction, and asks the
  queue to deliver it once that transaction commits. It needs no Flask.
- :mod:`.render` turns a recorded message into a subject, a text and an HTML part in the
  recipient's language, through the application's (themable) templates; :mod:`.links` is the one
  link builder for the absolute addresses emails carry.
- :mod:`.delivery` is what the worker runs: claim a due message, render it the first time, send
  it, record the outcome, retry with backoff.
- :mod:`.smtp` turns an outbox row into a MIME message and hands it to the SMTP server of
  ``MAIL_URL``.

Nothing is ever sent inline: a web request only writes rows.
"""
