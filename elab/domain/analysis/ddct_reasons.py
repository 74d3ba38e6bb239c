"""Why a ddct fold change cannot be given, in the words the result and headline use.

- An undetermined Ct is censored, not missing: the template is below what the last cycle can
  show, and such non-detects are not missing at random (McCall et al. 2014).  The mean of
  the wells that did amplify is biased (high for a target, which overstates its expression;
  for a reference, the other way), so the group gets no estimate.
- A reference gene must be unaffected by the treatment (Livak & Schmittgen 2001): its shift
  between a condition and the control passes one for one into the fold change.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NullReasons", "censored_reason"]


def censored_reason(censored: dict[tuple[str, str], list[str]], condition: str, gene: str,
                    references: tuple[str, ...]) -> str:
    """Why a group with undetermined wells has no estimate (``""`` when it has none)."""
    parts = []
    for g in (gene, *references):
        samples = censored.get((condition, g), [])
        if samples:
            parts.append(f"{g} undetermined in {len(samples)} well(s) of {condition} "
                         f"({', '.join(sorted(set(samples)))})")
    if not parts:
        return ""
    return ("; ".join(parts) + ": an undetermined Ct is censored (beyond the last cycle), "
            "not missing, so the mean of the wells that did amplify would be biased")


@dataclass(frozen=True)
class NullReasons:
    """Why a condition's fold change of a gene cannot be given: undetermined (censored) Cts
    in it or in the control, or a reference gene that moved between it and the control."""

    censored: dict[tuple[str, str], list[str]]
    references: tuple[str, ...]
    control: str
    unstable: dict[str, list[tuple[str, float]]]
    limit: float

    def __call__(self, condition: str, gene: str) -> str:
        reasons = [censored_reason(self.censored, condition, gene, self.references)]
        if condition != self.control:
            control = censored_reason(self.censored, self.control, gene, self.references)
            reasons.append(f"control: {control}" if control else "")
            reasons.append(self._moved(condition))
        return "; ".join(r for r in reasons if r)

    def _moved(self, condition: str) -> str:
        moved = self.unstable.get(condition, [])
        if not moved:
            return ""
        shown = ", ".join(f"{ref} (mean Ct {condition} − {self.control} = {shift:+.2f} cycles)"
                          for ref, shift in moved)
        stable = [r for r in self.references if r not in {m for m, _ in moved}]
        hint = (f"normalise to {', '.join(stable)} alone (reference={','.join(stable)})"
                if stable else "choose a stable reference gene")
        return (f"unstable reference gene {shown}, beyond max_ref_shift {self.limit:g}: the "
                f"shift would pass into the fold change; {hint}, or raise max_ref_shift if the "
                "input amounts differed by as much")
