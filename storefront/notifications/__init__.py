"""Email notifications through an outbox.

- :mod:`.outbox` renders an email from its templates and writes it to the outbox, in the caller's
  transaction (``enqueue_email``), and asks the queue to deliver it once that transaction commits.
- :mod:`.delivery` is what the worker runs: claim a due message, send it, record the outcome,
  retry with backoff.
- :mod:`.smtp` turns an outbox row into a MIME message and hands it to the SMTP server of
  ``MAIL_URL``.

Nothing is ever sent inline: a web request only writes rows.
"""
