"""`make bench`'s own logic (bench/run.py), without the load: its summary and its seeding."""

import importlib.util
from pathlib import Path

# bench/run.py is a script, not a package; bench/ is not put on sys.path (its members.py would
# shadow the members app).
_spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).resolve().parent.parent / "bench" / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


def test_the_summary_counts_each_target_apart():
    rows = [
        {"ok": True, "cold_ok": False, "cold_target": 0.3},
        {"ok": True, "cold_ok": True, "cold_target": 0.3},
        {"ok": False, "target": 0.25},  # a desk page
        {"ok": True, "reference": True},  # a floor: no target
    ]
    assert run.summary(rows) == (
        "Targets met: 2 of 2 public pages warm (>= 0.8x), 1 of 2 cold (>= 0.3x), 0 of 1 desk pages (>= 0.25x)."
    )


def test_a_bench_database_emptied_since_it_was_seeded_is_filled_again(tmp_path, monkeypatch, capsys):
    """prepare() seeds once, trusts its stamp while the database holds the unions it recorded,
    and seeds again once it does not (the commands themselves are recorded, not run)."""
    commands, unions = [], {"held": "0"}

    def manage(env, *args):
        commands.append(args[0])
        if args[0] == "seed_scale":
            unions["held"] = "100100"

    monkeypatch.setattr(run, "RESULTS", tmp_path)
    monkeypatch.setattr(run, "manage", manage)
    monkeypatch.setattr(run, "known_scale_options", lambda env: {"--stations"})
    monkeypatch.setattr(run, "unions_held", lambda env: unions["held"])
    monkeypatch.setenv("BENCH_ARGS", "--stations 5")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/bench.sqlite3"}
    run.prepare(env)
    assert commands == ["migrate", "seed_demo", "seed_scale"]
    run.prepare(env)
    assert commands[3:] == ["migrate"] and "already filled" in capsys.readouterr().out
    unions["held"] = "0"  # the database was emptied (or replaced) since
    run.prepare(env)
    assert commands[4:] == ["migrate", "seed_demo", "seed_scale"]
    assert "no longer holds what was seeded" in capsys.readouterr().out
    assert [p.read_text() for p in tmp_path.glob("seeded-*")] == ["100100"]
