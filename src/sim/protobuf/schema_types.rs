//! The shape of a protobuf message as the encoder needs it: each field's JSON name, field
//! number, whether it repeats, and its kind. The tables themselves are in `schema.rs`.

/// What a field holds, and so how its JSON value is written.
#[derive(Debug)]
pub enum Kind {
    /// `string` (wire type 2).
    String,
    /// `int32` (varint; negative values sign-extended to ten bytes, as Go writes them).
    Int32,
    /// `int64` (varint).
    Int64,
    /// `bool` (varint 0 or 1).
    Bool,
    /// A nested message (wire type 2).
    Message(&'static Message),
    /// `map<string, V>`: repeated entries `{key = 1, value = 2}`.
    Map(&'static Kind),
    /// `metav1.Time {seconds = 1, nanos = 2}`; RFC 3339 in JSON.
    Time,
    /// `resource.Quantity {string = 1}`; a string (or a number) in JSON.
    Quantity,
    /// `intstr.IntOrString {type = 1, intVal = 2, strVal = 3}`; int or string in JSON.
    IntOrString,
    /// `metav1.FieldsV1 {Raw = 1}`: the JSON object's bytes.
    FieldsV1,
}

/// One field of a message.
#[derive(Debug)]
pub struct Field {
    pub json: &'static str,
    pub number: u32,
    pub repeated: bool,
    /// An embedded Go struct (`ProbeHandler` in `Probe`, `VolumeSource` in `Volume`,
    /// `LocalObjectReference` in `ConfigMapVolumeSource`, …): a message on the wire whose
    /// fields JSON keeps in the parent object.
    pub inline: bool,
    pub kind: Kind,
}

/// A message: its name and fields in field-number order.
#[derive(Debug)]
pub struct Message {
    pub name: &'static str,
    pub fields: &'static [Field],
}

impl Message {
    /// The field with this JSON name.
    pub fn field(&self, json: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.json == json)
    }
}
