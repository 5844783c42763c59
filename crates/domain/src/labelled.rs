//! Enumerations with a stable storage code (English) and a Chinese label shown to users.

/// An enumeration value with a stable code (stored, used in the API) and a Chinese label.
pub trait Labelled: Sized + Copy + 'static {
    const ALL: &'static [Self];
    /// Chinese name of the field this enumeration fills, for error messages.
    const FIELD_LABEL: &'static str;
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    /// Accepts the code or the Chinese label.
    fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.iter().copied().find(|v| v.code() == s || v.label() == s)
    }
    /// Like [`Labelled::parse`], with a Chinese error naming the field and the allowed values.
    fn parse_field(field: &'static str, s: &str) -> Result<Self, crate::FieldError> {
        Self::parse(s).ok_or_else(|| {
            let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.label()).collect();
            crate::FieldError::new(
                field,
                format!("{}“{}”无法识别，可选值：{}", Self::FIELD_LABEL, s, allowed.join("、")),
            )
        })
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
                    format!("{}“{}”无法识别", $field, s)))
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::Labelled::label(*self))
            }
        }
    };
}
