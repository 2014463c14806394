#pragma once
// AMF0 (Action Message Format 0, Adobe "AMF 0 File Format Specification") values, encoder and
// decoder. Pure: bytes in, values out; never touches a socket.

#include "../common/Result.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace goaway::amf0 {

/** AMF0 type markers (AMF0 spec 2.1). */
enum class Marker : uint8_t {
	Number = 0x00,
	Boolean = 0x01,
	String = 0x02,
	Object = 0x03,
	Null = 0x05,
	Undefined = 0x06,
	EcmaArray = 0x08,
	ObjectEnd = 0x09,
	StrictArray = 0x0A,
	Date = 0x0B,
	LongString = 0x0C,
};

struct Value;
/** Object / ECMA array properties in wire order (order matters for byte-exact tests). */
using Properties = std::vector<std::pair<std::string, Value>>;

/** One decoded or to-be-encoded AMF0 value. `type` is the marker it was (or will be) written with. */
struct Value {
	Marker type = Marker::Null;
	double number = 0;        // Number, Date (ms since epoch)
	bool boolean = false;     // Boolean
	std::string string;       // String, LongString
	Properties properties;    // Object, EcmaArray
	std::vector<Value> items; // StrictArray

	// Special members defined in Amf0.cpp, where Value is complete: implicit ones would make
	// clang instantiate ~vector<pair<string, Value>> while that pair is still incomplete.
	Value();
	~Value();
	Value(const Value &);
	Value(Value &&) noexcept;
	Value &operator=(const Value &);
	Value &operator=(Value &&) noexcept;

	static Value makeNumber(double v);
	static Value makeBoolean(bool v);
	static Value makeString(std::string v);
	static Value makeNull();
	// Overloads rather than `= {}` defaults: clang rejects a default argument that builds a
	// container of Value while Value is still incomplete.
	static Value makeObject();
	static Value makeObject(Properties props);
	static Value makeEcmaArray();
	static Value makeEcmaArray(Properties props);
	static Value makeStrictArray();
	static Value makeStrictArray(std::vector<Value> items);

	bool isNumber() const { return type == Marker::Number; }
	bool isBoolean() const { return type == Marker::Boolean; }
	bool isString() const { return type == Marker::String || type == Marker::LongString; }
	bool isObject() const { return type == Marker::Object || type == Marker::EcmaArray; }
	bool isNull() const { return type == Marker::Null || type == Marker::Undefined; }

	/** Property lookup for Object / EcmaArray; nullptr when absent or not an object. */
	const Value *get(std::string_view key) const;
	/** Convenience: the string property `key`, or empty when absent / not a string. */
	std::string getString(std::string_view key) const;
	/** Appends (or replaces) a property; only meaningful for Object / EcmaArray. */
	Value &set(std::string key, Value v);
};

/** Appends the encoding of `v` to `out`. Strings longer than 65535 bytes become LongString. */
void encode(const Value &v, std::vector<uint8_t> &out);
std::vector<uint8_t> encode(const Value &v);
/** Encodes a sequence of values back to back (a command or data message body). */
std::vector<uint8_t> encodeAll(const std::vector<Value> &values);

/**
 * Decodes one value starting at `offset`; on success `offset` moves past it.
 * Errors (ErrorCode::Protocol): truncated input, unknown marker, nesting deeper than
 * constants::kMaxAmfDepth.
 */
Result<Value> decode(std::span<const uint8_t> bytes, size_t &offset);
/** Decodes values until the input ends (a whole command / data message body). */
Result<std::vector<Value>> decodeAll(std::span<const uint8_t> bytes);

} // namespace goaway::amf0
