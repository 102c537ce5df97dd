"""Background jobs: long analysis work (coding every answer, retraining, large tables) runs off
the request path. The database row is the source of truth for a job's state, so a page reads
progress and results without waiting, and jobs left unfinished by a stopped worker are queued
again when a worker starts.

Without Redis every app worker runs queued jobs itself (`JobRunner` polls the table); with
`CONSULT_REDIS_URL` set, `python -m consult worker` runs them through SAQ and the app only
dispatches. Either way a job runs through `JobRunner.run`, which claims the row atomically, so
two workers never run the same job at once.
"""

from consult.jobs.models import Job, JobStatus
from consult.jobs.runner import JobContext, JobHandler, JobRunner

__all__ = ["Job", "JobContext", "JobHandler", "JobRunner", "JobStatus"]
