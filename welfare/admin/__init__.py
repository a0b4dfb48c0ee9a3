"""Back office of welfare: scoped like the desk, ID numbers masked, the access log read-only.

Every write goes through welfare's services (save, delete, bulk delete, inlines): the rules
of the desk hold here too. Every page that shows a person (change, history and version
pages) writes an access-log entry. A full ID number is never searched through the URL: the
changelists of files and visits have a posted ID search that answers with a random token.
"""

from . import access, files, reference, supplies, visits
from .files import HardshipFileAdminForm
from .mixins import looks_like_full_id

__all__ = ["HardshipFileAdminForm", "access", "files", "looks_like_full_id", "reference", "supplies", "visits"]
