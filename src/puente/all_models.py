"""Every module's tables, imported by name so that `Base.metadata` knows them all.

Alembic (`migrations/env.py`) and the tests' database snapshots read the metadata from
here. It sits beside the composition root (`app.py`, `cli.py`): core cannot know the
modules, and no module imports this file. A new module with tables adds its line.
"""

from __future__ import annotations

from puente.commitments import models as commitments_models
from puente.coordination import models as coordination_models
from puente.core import audit
from puente.core.db import Base
from puente.early_warning import models as early_warning_models
from puente.enforcement import models as enforcement_models
from puente.exchange import models as exchange_models
from puente.financing import models as financing_models
from puente.identity import models as identity_models
from puente.pathways import models as pathways_models
from puente.people import models as people_models
from puente.protection import models as protection_models

MODEL_MODULES = (
    audit,
    identity_models,
    people_models,
    protection_models,
    pathways_models,
    early_warning_models,
    financing_models,
    coordination_models,
    commitments_models,
    exchange_models,
    enforcement_models,
)


def load_all_models() -> type[Base]:
    """The declarative base, once every table above is registered on it."""
    return Base
