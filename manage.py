#!/usr/bin/env python
import os
import sys


def main() -> None:
    from rcm.runtime_env import load_runtime_env

    load_runtime_env()
    if sys.argv[1:2] == ["migrate"]:
        # Migrations run as the schema owner; everything else runs as the app role.
        os.environ["RCM_MIGRATING"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rcm.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
