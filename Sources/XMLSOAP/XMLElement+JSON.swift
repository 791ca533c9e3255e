import GatewayCore

extension XMLElement {
    static let schemaInstance = "http://www.w3.org/2001/XMLSchema-instance"

    /// The element as JSON without a schema, for content no schema describes (fault details):
    /// - text only → a string (`xsi:nil="true"` → null);
    /// - children or attributes → an object: children by local name in document order, a name that
    ///   repeats → an array, attributes as `@name`, non-blank text beside them as `#text`.
    /// Responses with a schema are converted by the schema instead, never by this guess.
    public var genericJSON: JSONValue {
        if attribute("nil", namespace: Self.schemaInstance) == "true" { return .null }
        let attributes = self.attributes.filter { $0.namespace != Self.schemaInstance }
        if children.isEmpty, attributes.isEmpty { return .string(text) }
        var object = JSONObject()
        for attribute in attributes { object["@" + attribute.name] = .string(attribute.value) }
        var order: [String] = []
        var groups: [String: [JSONValue]] = [:]
        for child in children {
            if groups[child.name] == nil { order.append(child.name) }
            groups[child.name, default: []].append(child.genericJSON)
        }
        for name in order {
            let values = groups[name]!
            object[name] = values.count == 1 ? values[0] : .array(values)
        }
        let text = self.text.trimmingWhitespace
        if !text.isEmpty { object["#text"] = .string(text) }
        return .object(object)
    }
}
