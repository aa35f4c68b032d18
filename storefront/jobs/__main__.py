"""``python -m storefront.jobs``: the job worker (see :mod:`storefront.jobs.worker`)."""

from storefront.jobs.worker import main

main()
