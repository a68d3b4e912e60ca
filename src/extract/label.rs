//! BIO labels: O, then B-X and I-X for each entity type.

/// A BIO label: 0 is O, `1 + 2t` is B of type t, `2 + 2t` is I of type t.
pub type Label = u8;

pub const N_TYPES: usize = 4;
pub const N_LABELS: usize = 1 + 2 * N_TYPES;
pub const TYPE_NAMES: [&str; N_TYPES] = ["PER", "ORG", "LOC", "MISC"];

pub const O: Label = 0;
#[cfg(test)]
pub const B_PER: Label = 1;
#[cfg(test)]
pub const I_PER: Label = 2;
#[cfg(test)]
pub const B_LOC: Label = 5;
#[cfg(test)]
pub const I_LOC: Label = 6;

pub fn begin(ty: usize) -> Label {
    (1 + 2 * ty) as Label
}

pub fn inside(ty: usize) -> Label {
    (2 + 2 * ty) as Label
}

/// The entity type of a label, None for O.
pub fn ty(l: Label) -> Option<usize> {
    if l == O {
        None
    } else {
        Some((l as usize - 1) / 2)
    }
}

pub fn is_begin(l: Label) -> bool {
    l != O && (l - 1).is_multiple_of(2)
}

/// Whether label `cur` may follow `prev` (None = sentence start) in BIO.
pub fn allowed(prev: Option<Label>, cur: Label) -> bool {
    if cur == O || is_begin(cur) {
        return true;
    }
    matches!(prev, Some(p) if p != O && ty(p) == ty(cur))
}

/// Parses "B-PER" / "I-LOC" into (is_begin, type).
pub fn parse_tag(tag: &str) -> Option<(bool, usize)> {
    let (prefix, name) = tag.split_once('-')?;
    let is_b = match prefix {
        "B" | "S" => true,
        "I" | "E" => false,
        _ => return None,
    };
    let ty = TYPE_NAMES.iter().position(|n| *n == name)?;
    Some((is_b, ty))
}

pub fn name(l: Label) -> String {
    match ty(l) {
        None => "O".to_string(),
        Some(t) => format!("{}-{}", if is_begin(l) { "B" } else { "I" }, TYPE_NAMES[t]),
    }
}
