#include "Amf0.hpp"

#include "../common/Constants.hpp"

#include <bit>
#include <cstring>

namespace goaway::amf0 {

namespace {

// AMF0 spec 2.1 markers we read but never write.
constexpr uint8_t kMarkerMovieClip = 0x04;   // reserved, "not supported"
constexpr uint8_t kMarkerReference = 0x07;   // index into the object table
constexpr uint8_t kMarkerUnsupported = 0x0D; // "this type cannot be serialized"
constexpr uint8_t kMarkerRecordSet = 0x0E;   // reserved
constexpr uint8_t kMarkerXmlDocument = 0x0F; // long-string shaped
constexpr uint8_t kMarkerTypedObject = 0x10; // class name + object properties
constexpr uint8_t kMarkerAvmPlus = 0x11;     // switch to AMF3: not supported here

void putU16(std::vector<uint8_t> &out, uint16_t v)
{
	out.push_back(static_cast<uint8_t>(v >> 8));
	out.push_back(static_cast<uint8_t>(v));
}

void putU32(std::vector<uint8_t> &out, uint32_t v)
{
	for (int shift = 24; shift >= 0; shift -= 8)
		out.push_back(static_cast<uint8_t>(v >> shift));
}

void putDouble(std::vector<uint8_t> &out, double v)
{
	const uint64_t bits = std::bit_cast<uint64_t>(v);
	for (int shift = 56; shift >= 0; shift -= 8)
		out.push_back(static_cast<uint8_t>(bits >> shift));
}

// Object keys and short strings: u16 length + UTF-8 (AMF0 spec 1.3 "UTF-8").
void putShortString(std::vector<uint8_t> &out, std::string_view s)
{
	const size_t n = s.size() > 0xFFFF ? 0xFFFF : s.size();
	putU16(out, static_cast<uint16_t>(n));
	out.insert(out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
}

void putProperties(std::vector<uint8_t> &out, const Properties &props)
{
	for (const auto &[key, value] : props) {
		putShortString(out, key);
		encode(value, out);
	}
	// Object end: an empty key followed by the object-end marker (AMF0 spec 2.5).
	putU16(out, 0);
	out.push_back(static_cast<uint8_t>(Marker::ObjectEnd));
}

/** Bounds-checked reader over the input; every read reports truncation as an error. */
class Reader {
public:
	Reader(std::span<const uint8_t> bytes, size_t &offset) : bytes_(bytes), offset_(offset) {}

	size_t remaining() const { return offset_ <= bytes_.size() ? bytes_.size() - offset_ : 0; }

	Result<uint8_t> u8()
	{
		if (remaining() < 1)
			return truncated("a type marker");
		return bytes_[offset_++];
	}
	Result<uint16_t> u16()
	{
		if (remaining() < 2)
			return truncated("a 16-bit length");
		const uint16_t v = static_cast<uint16_t>((bytes_[offset_] << 8) | bytes_[offset_ + 1]);
		offset_ += 2;
		return v;
	}
	Result<uint32_t> u32()
	{
		if (remaining() < 4)
			return truncated("a 32-bit length");
		uint32_t v = 0;
		for (int i = 0; i < 4; ++i)
			v = (v << 8) | bytes_[offset_ + i];
		offset_ += 4;
		return v;
	}
	Result<double> number()
	{
		if (remaining() < 8)
			return truncated("a number");
		uint64_t bits = 0;
		for (int i = 0; i < 8; ++i)
			bits = (bits << 8) | bytes_[offset_ + i];
		offset_ += 8;
		return std::bit_cast<double>(bits);
	}
	Result<std::string> text(size_t length)
	{
		if (remaining() < length)
			return truncated("a string");
		std::string s(reinterpret_cast<const char *>(bytes_.data() + offset_), length);
		offset_ += length;
		return s;
	}
	Result<std::string> shortString()
	{
		auto n = u16();
		if (!n)
			return std::unexpected(n.error());
		return text(*n);
	}
	Result<std::string> longString()
	{
		auto n = u32();
		if (!n)
			return std::unexpected(n.error());
		return text(*n);
	}
	/** True (and consumed) when the next three bytes are the object-end sequence 00 00 09. */
	bool objectEnd()
	{
		if (remaining() >= 3 && bytes_[offset_] == 0 && bytes_[offset_ + 1] == 0 &&
		    bytes_[offset_ + 2] == static_cast<uint8_t>(Marker::ObjectEnd)) {
			offset_ += 3;
			return true;
		}
		return false;
	}

private:
	static std::unexpected<Error> truncated(const char *what)
	{
		return fail(ErrorCode::Protocol, std::string("AMF0: input ends inside ") + what);
	}

	std::span<const uint8_t> bytes_;
	size_t &offset_;
};

Result<Value> decodeValue(Reader &in, int depth);

Result<Properties> decodeProperties(Reader &in, int depth)
{
	Properties props;
	while (!in.objectEnd()) {
		auto key = in.shortString();
		if (!key)
			return std::unexpected(key.error());
		auto value = decodeValue(in, depth + 1);
		if (!value)
			return std::unexpected(value.error());
		props.emplace_back(std::move(*key), std::move(*value));
	}
	return props;
}

Result<Value> decodeValue(Reader &in, int depth)
{
	if (depth > constants::kMaxAmfDepth)
		return fail(ErrorCode::Protocol, "AMF0: values nest deeper than the supported limit");
	auto marker = in.u8();
	if (!marker)
		return std::unexpected(marker.error());
	Value v;
	switch (*marker) {
	case static_cast<uint8_t>(Marker::Number): {
		auto n = in.number();
		if (!n)
			return std::unexpected(n.error());
		return Value::makeNumber(*n);
	}
	case static_cast<uint8_t>(Marker::Boolean): {
		auto b = in.u8();
		if (!b)
			return std::unexpected(b.error());
		return Value::makeBoolean(*b != 0);
	}
	case static_cast<uint8_t>(Marker::String): {
		auto s = in.shortString();
		if (!s)
			return std::unexpected(s.error());
		return Value::makeString(std::move(*s));
	}
	case kMarkerXmlDocument:
	case static_cast<uint8_t>(Marker::LongString): {
		auto s = in.longString();
		if (!s)
			return std::unexpected(s.error());
		v.type = Marker::LongString;
		v.string = std::move(*s);
		return v;
	}
	case kMarkerTypedObject: {
		// Class name, then properties like an anonymous object; the name is not kept.
		auto className = in.shortString();
		if (!className)
			return std::unexpected(className.error());
		[[fallthrough]];
	}
	case static_cast<uint8_t>(Marker::Object): {
		auto props = decodeProperties(in, depth);
		if (!props)
			return std::unexpected(props.error());
		return Value::makeObject(std::move(*props));
	}
	case static_cast<uint8_t>(Marker::EcmaArray): {
		// The associative count is a hint only (FFmpeg and others write 0); the object-end
		// sequence terminates the array (AMF0 spec 2.10).
		auto count = in.u32();
		if (!count)
			return std::unexpected(count.error());
		auto props = decodeProperties(in, depth);
		if (!props)
			return std::unexpected(props.error());
		return Value::makeEcmaArray(std::move(*props));
	}
	case static_cast<uint8_t>(Marker::StrictArray): {
		auto count = in.u32();
		if (!count)
			return std::unexpected(count.error());
		// Every item takes at least one byte: a count above what remains is a lie, not a reason
		// to reserve gigabytes.
		if (*count > in.remaining())
			return fail(ErrorCode::Protocol, "AMF0: strict array count exceeds the input");
		std::vector<Value> items;
		items.reserve(*count);
		for (uint32_t i = 0; i < *count; ++i) {
			auto item = decodeValue(in, depth + 1);
			if (!item)
				return std::unexpected(item.error());
			items.push_back(std::move(*item));
		}
		return Value::makeStrictArray(std::move(items));
	}
	case static_cast<uint8_t>(Marker::Date): {
		auto ms = in.number();
		if (!ms)
			return std::unexpected(ms.error());
		auto timeZone = in.u16(); // "reserved, should be 0" (AMF0 spec 2.13)
		if (!timeZone)
			return std::unexpected(timeZone.error());
		v.type = Marker::Date;
		v.number = *ms;
		return v;
	}
	case static_cast<uint8_t>(Marker::Null):
		return Value::makeNull();
	case static_cast<uint8_t>(Marker::Undefined):
	case kMarkerUnsupported:
		v.type = Marker::Undefined;
		return v;
	case kMarkerMovieClip:
	case kMarkerRecordSet:
	case kMarkerReference:
	case kMarkerAvmPlus:
	default:
		break;
	}
	char msg[64];
	std::snprintf(msg, sizeof(msg), "AMF0: unsupported type marker 0x%02x", *marker);
	return fail(ErrorCode::Protocol, msg);
}

} // namespace

Value Value::makeNumber(double v)
{
	Value out;
	out.type = Marker::Number;
	out.number = v;
	return out;
}

Value Value::makeBoolean(bool v)
{
	Value out;
	out.type = Marker::Boolean;
	out.boolean = v;
	return out;
}

Value Value::makeString(std::string v)
{
	Value out;
	out.type = Marker::String;
	out.string = std::move(v);
	return out;
}

Value::Value() = default;
Value::~Value() = default;
Value::Value(const Value &) = default;
Value::Value(Value &&) noexcept = default;
Value &Value::operator=(const Value &) = default;
Value &Value::operator=(Value &&) noexcept = default;

Value Value::makeNull()
{
	return Value{};
}

Value Value::makeObject()
{
	return makeObject(Properties{});
}

Value Value::makeEcmaArray()
{
	return makeEcmaArray(Properties{});
}

Value Value::makeStrictArray()
{
	return makeStrictArray(std::vector<Value>{});
}

Value Value::makeObject(Properties props)
{
	Value out;
	out.type = Marker::Object;
	out.properties = std::move(props);
	return out;
}

Value Value::makeEcmaArray(Properties props)
{
	Value out;
	out.type = Marker::EcmaArray;
	out.properties = std::move(props);
	return out;
}

Value Value::makeStrictArray(std::vector<Value> items)
{
	Value out;
	out.type = Marker::StrictArray;
	out.items = std::move(items);
	return out;
}

const Value *Value::get(std::string_view key) const
{
	if (!isObject())
		return nullptr;
	for (const auto &[k, v] : properties)
		if (k == key)
			return &v;
	return nullptr;
}

std::string Value::getString(std::string_view key) const
{
	const Value *v = get(key);
	return (v && v->isString()) ? v->string : std::string();
}

Value &Value::set(std::string key, Value v)
{
	for (auto &[k, existing] : properties) {
		if (k == key) {
			existing = std::move(v);
			return existing;
		}
	}
	properties.emplace_back(std::move(key), std::move(v));
	return properties.back().second;
}

void encode(const Value &v, std::vector<uint8_t> &out)
{
	switch (v.type) {
	case Marker::Number:
		out.push_back(static_cast<uint8_t>(Marker::Number));
		putDouble(out, v.number);
		return;
	case Marker::Boolean:
		out.push_back(static_cast<uint8_t>(Marker::Boolean));
		out.push_back(v.boolean ? 1 : 0);
		return;
	case Marker::String:
	case Marker::LongString:
		if (v.string.size() > 0xFFFF || v.type == Marker::LongString) {
			out.push_back(static_cast<uint8_t>(Marker::LongString));
			putU32(out, static_cast<uint32_t>(v.string.size()));
			out.insert(out.end(), v.string.begin(), v.string.end());
		} else {
			out.push_back(static_cast<uint8_t>(Marker::String));
			putShortString(out, v.string);
		}
		return;
	case Marker::Object:
		out.push_back(static_cast<uint8_t>(Marker::Object));
		putProperties(out, v.properties);
		return;
	case Marker::EcmaArray:
		out.push_back(static_cast<uint8_t>(Marker::EcmaArray));
		putU32(out, static_cast<uint32_t>(v.properties.size()));
		putProperties(out, v.properties);
		return;
	case Marker::StrictArray:
		out.push_back(static_cast<uint8_t>(Marker::StrictArray));
		putU32(out, static_cast<uint32_t>(v.items.size()));
		for (const Value &item : v.items)
			encode(item, out);
		return;
	case Marker::Date:
		out.push_back(static_cast<uint8_t>(Marker::Date));
		putDouble(out, v.number);
		putU16(out, 0);
		return;
	case Marker::Undefined:
		out.push_back(static_cast<uint8_t>(Marker::Undefined));
		return;
	case Marker::Null:
	case Marker::ObjectEnd:
	default:
		out.push_back(static_cast<uint8_t>(Marker::Null));
		return;
	}
}

std::vector<uint8_t> encode(const Value &v)
{
	std::vector<uint8_t> out;
	encode(v, out);
	return out;
}

std::vector<uint8_t> encodeAll(const std::vector<Value> &values)
{
	std::vector<uint8_t> out;
	for (const Value &v : values)
		encode(v, out);
	return out;
}

Result<Value> decode(std::span<const uint8_t> bytes, size_t &offset)
{
	size_t cursor = offset;
	Reader in(bytes, cursor);
	auto v = decodeValue(in, 0);
	if (v)
		offset = cursor; // only move on success, as documented
	return v;
}

Result<std::vector<Value>> decodeAll(std::span<const uint8_t> bytes)
{
	std::vector<Value> values;
	size_t offset = 0;
	while (offset < bytes.size()) {
		auto v = decode(bytes, offset);
		if (!v)
			return std::unexpected(v.error());
		values.push_back(std::move(*v));
	}
	return values;
}

} // namespace goaway::amf0
