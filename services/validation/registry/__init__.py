"""DLA's LAO registry: reading its open-data CSV (`dataset`, pure), keeping it in validation's database
(`repository`), and importing it through one code path (`importer`) from the command line (`__main__`)
and the admin API (`services/validation/api/registry.py`)."""
