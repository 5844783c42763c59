//! Enumerations with a stable storage code (English) and a Chinese label shown to users.

/// An enumeration value with a stable code (stored, used in the API) and a Chinese label.
pub trait Labelled: Sized + Copy + 'static {
    const ALL: &'static [Self];
    /// Chinese name of the field this enumeration fills, for error messages.
    const FIELD_LABEL: &'static str;
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    /// Accepts the code, the Chinese label or any word of the synonym table
    /// (`rules/synonyms.toml`), ignoring spaces, full-width forms and case.
    fn parse(s: &str) -> Option<Self> {
        // The common case, the code or label as written, without allocating.
        let t = s.trim();
        if let Some(v) = Self::ALL.iter().copied().find(|v| v.code() == t || v.label() == t) {
            return Some(v);
        }
        let n = crate::vocabulary::normalise(s);
        if n.is_empty() {
            return None;
        }
        let by_name = |code: &str| Self::ALL.iter().copied().find(|v| v.code() == code);
        Self::ALL
            .iter()
            .copied()
            .find(|v| crate::vocabulary::normalise(v.code()) == n || crate::vocabulary::normalise(v.label()) == n)
            .or_else(|| crate::vocabulary::lookup(Self::FIELD_LABEL, s).and_then(by_name))
    }
    /// Like [`Labelled::parse`], with a Chinese error naming the field, listing the
    /// accepted words and suggesting the nearest. An empty value is "未填写", never quoted.
    fn parse_field(field: &'static str, s: &str) -> Result<Self, crate::FieldError> {
        Self::parse(s).ok_or_else(|| crate::FieldError::new(field, Self::unknown(s)))
    }
    /// Why `s` is not a value of this enumeration, with what to write instead.
    fn unknown(s: &str) -> String {
        // 未登记 is what an empty value means, not a word to offer.
        let offered = Self::ALL.iter().filter(|v| v.code() != "unregistered");
        let allowed: Vec<&str> = offered.clone().map(|v| v.label()).collect();
        let mut others: Vec<&str> = Vec::new();
        for v in offered {
            let words = crate::vocabulary::words_for(Self::FIELD_LABEL, v.code());
            others.extend(words.iter().map(String::as_str).filter(|w| !allowed.contains(w)).take(3));
        }
        let also = if others.is_empty() { String::new() } else { format!("（也可写作{}等）", others.join("、")) };
        if s.trim().is_empty() {
            return format!("{}未填写，可填写：{}{also}", Self::FIELD_LABEL, allowed.join("、"));
        }
        let candidates = Self::ALL.iter().flat_map(|v| {
            std::iter::once((v.label(), v.label()))
                .chain(crate::vocabulary::words_for(Self::FIELD_LABEL, v.code()).iter().map(move |w| (w.as_str(), v.label())))
        });
        let hint = match crate::vocabulary::nearest(s, candidates) {
            Some(l) => format!("。最接近的是“{l}”，如果是它请改为“{l}”"),
            None => String::new(),
        };
        format!("{}“{}”无法识别，可填写：{}{also}{hint}", Self::FIELD_LABEL, s.trim(), allowed.join("、"))
    }
}

/// Declares a `Labelled` enum: `labelled_enum!(Name, "字段名", { Variant = ("code", "标签"), ... })`.
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, { $($(#[$vm:meta])* $variant:ident = ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $variant),+ }
        impl $crate::Labelled for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const FIELD_LABEL: &'static str = $field;
            fn code(self) -> &'static str { match self { $(Self::$variant => $code),+ } }
            fn label(self) -> &'static str { match self { $(Self::$variant => $label),+ } }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::Labelled::code(*self))
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <Self as $crate::Labelled>::parse(&s).ok_or_else(|| serde::de::Error::custom(
                    <Self as $crate::Labelled>::unknown(&s)))
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::Labelled::label(*self))
            }
        }
    };
}
