"""Data files a finished run of each library protocol attaches for its analysis hook.

Shared by the integration tests (every hook from a finished run) and the TUI tests (whole
runs from the keyboard).
"""

from __future__ import annotations


def ic50_csv() -> str:
    rows = ["dose [nM],response"]
    for dose in (0.1, 1, 10, 100, 1000, 10000):
        for rep in range(3):
            response = 0.1 + 1.4 / (1 + (dose / 50) ** 1.2) + 0.01 * rep
            rows.append(f"{dose},{response:.4f}")
    rows += [f"0,{1.5 + 0.01 * r:.3f}" for r in range(3)]
    return "\n".join(rows)


def synergy_csv() -> str:
    rows = ["dose_a,dose_b,viability"]
    for a in (0, 10, 30, 100, 300, 1000):
        for b in (0, 0.3, 1, 3, 10, 30):
            fa = 1 - 1 / (1 + (a / 120) ** 1.1 + (b / 4) ** 1.0 + (a / 120) * (b / 4))
            rows.append(f"{a},{b},{1 - fa:.4f}")
    return "\n".join(rows)


def ddct_csv() -> str:
    rows = ["sample,condition,target,ct"]
    for condition, shift in (("vehicle", 0.0), ("defactinib", 1.5)):
        for s in range(3):
            sample = f"{condition}-{s}"
            for w in range(2):
                rows.append(f"{sample},{condition},GAPDH,{18.0 + 0.05 * w:.2f}")
                rows.append(f"{sample},{condition},SNAI1,{25.0 + shift + 0.05 * w:.2f}")
    return "\n".join(rows)


def transwell_csv() -> str:
    rows = ["insert,condition,field,count"]
    for i, (condition, mean) in enumerate([("vehicle", 120)] * 3 + [("defactinib", 60)] * 3):
        rows += [f"i{i},{condition},{f},{mean + f}" for f in range(5)]
    return "\n".join(rows)


def wound_csv() -> str:
    rows = ["well,condition,time [h],area [um^2]"]
    for w, (condition, rate) in enumerate([("vehicle", 0.03)] * 3 + [("defactinib", 0.01)] * 3):
        rows += [f"w{w},{condition},{t},{1e6 * (1 - rate * t):.0f}" for t in (0, 6, 12, 24)]
    return "\n".join(rows)


def tumour_csv() -> str:
    rows = ["animal,arm,day,length [mm],width [mm],body_weight [g]"]
    for a, (arm, growth) in enumerate(
        [("vehicle", 1.08)] * 3 + [("defactinib", 1.05)] * 3 + [("paclitaxel", 1.04)] * 3
        + [("combination", 1.01)] * 3
    ):
        for day in (0, 7, 14, 21):
            length = 7 * growth**day
            rows.append(f"m{a},{arm},{day},{length:.2f},{length * 0.7:.2f},{22 - 0.02 * day:.2f}")
    return "\n".join(rows)


def bands_csv(loading: str, control: str) -> str:
    rows = ["lane,condition,target,intensity"]
    for lane, condition in enumerate([control, control, "treated", "treated"]):
        rows.append(f"{lane},{condition},{loading},1000")
        for target in ("E-cadherin", "p-FAK Y397"):
            rows.append(f"{lane},{condition},{target},{800 if condition == control else 400}")
    return "\n".join(rows)


def flow_csv() -> str:
    rows = ["sample,condition,population,parent,count"]
    for s, condition in enumerate(["vehicle", "defactinib"]):
        rows += [
            f"s{s},{condition},live,,100000",
            f"s{s},{condition},CD45+,live,40000",
            f"s{s},{condition},CD3+,CD45+,{12000 + 3000 * s}",
            f"s{s},{condition},CD8+,CD3+,{4000 + 2000 * s}",
        ]
    return "\n".join(rows)
