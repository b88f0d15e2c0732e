"""Outgoing e-mail: queued in the database, sent by the job worker, read back on the outbox pages.

A feature calls :func:`planner.mail.operations.queue_message` with a
:class:`planner.mail.inputs.MessageInput` (already written in the
recipient's language). The row is stored with the caller's transaction;
once that commits, the job ``send_message`` goes on the job queue
(:mod:`planner.jobs`), and the worker delivers it
(:mod:`planner.mail.sending`): to the SMTP server of ``MAIL_SERVER``, or,
without one, as an .eml file into the instance's outbox folder. Temporary
failures are tried again; after the last attempt the message is marked
failed with the reason, visible to admins (outbox) and the trip's planners.
"""
