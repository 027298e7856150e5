"""IP network functions: ``cidrhost``, ``cidrnetmask``, ``cidrsubnet`` and ``cidrsubnets``.

Prefixes are parsed as Terraform parses them: with Go 1.16's rules, which read IPv4 octets with
leading zeros as decimal (``010.1.0.0/16`` is ``10.1.0.0/16``; Terraform keeps this for
compatibility) and accept IPv6 groups of any length up to ``ffff``. Python's ``ipaddress`` rejects
both, so the parser is our own. Addresses are plain integers of 32 or 128 bits; results are
written as Go writes them: IPv6 in RFC 5952 form, and an IPv4-mapped IPv6 address
(``::ffff:a.b.c.d``) in dotted form with its prefix counted in IPv4 bits.

Two Terraform bugs are not reproduced: ``cidrsubnets`` fails on a prefix at address zero
(hashicorp/terraform#35486), and ``cidrhost``/``cidrsubnets`` misplace the host bits of an
IPv4-mapped IPv6 prefix. Here both give the addresses the documentation describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import Function, FunctionError, Param, simple
from gitterra.lang._values import Value

_BIG = 0xFFFFFF  # Go's net package gives up on numbers this large
_V4_MAPPED = 0xFFFF << 32
_INT64 = (-(1 << 63), (1 << 63) - 1)


@dataclass(frozen=True, slots=True)
class _Network:
    """A network prefix: its (masked) address, prefix length, and address size in bits."""

    address: int
    ones: int
    bits: int

    @property
    def host_bits(self) -> int:
        return self.bits - self.ones

    def contains(self, address: int) -> bool:
        return address >> self.host_bits == self.address >> self.host_bits

    def __str__(self) -> str:
        """As Go's ``IPNet.String``: an IPv4-mapped network is shown as IPv4."""
        if self.bits == 128 and self.address >> 32 == 0xFFFF:
            return f"{_ip_string(self.address & 0xFFFFFFFF, 32)}/{max(0, self.ones - 96)}"
        return f"{_ip_string(self.address, self.bits)}/{self.ones}"


# ---- parsing (Go 1.16 net.ParseCIDR, as forked into Terraform's internal/ipaddr) -------------


def _dtoi(s: str) -> tuple[int, int] | None:
    """Leading decimal digits: (value, count), or None if there are none or too many."""
    n = i = 0
    while i < len(s) and "0" <= s[i] <= "9":
        n = n * 10 + int(s[i])
        if n >= _BIG:
            return None
        i += 1
    return (n, i) if i else None


def _xtoi(s: str) -> tuple[int, int] | None:
    """Leading hexadecimal digits: (value, count), or None if there are none or too many."""
    n = i = 0
    while i < len(s) and s[i] in "0123456789abcdefABCDEF":
        n = n * 16 + int(s[i], 16)
        if n >= _BIG:
            return None
        i += 1
    return (n, i) if i else None


def _parse_ipv4(s: str) -> int | None:
    address = 0
    for i in range(4):
        if i > 0:
            if not s.startswith("."):
                return None
            s = s[1:]
        got = _dtoi(s)
        if got is None or got[0] > 0xFF:
            return None
        address = address << 8 | got[0]
        s = s[got[1] :]
    return address if not s else None


def _parse_ipv6(s: str) -> int | None:
    """Go's ``parseIPv6``: groups, at most one ``::``, and an optional trailing IPv4 part."""
    groups: list[int] = []  # 16-bit groups
    ellipsis = -1  # index in groups where "::" stands
    if s.startswith("::"):
        ellipsis, s = 0, s[2:]
    while s and len(groups) < 8:
        got = _xtoi(s)
        if got is None or got[0] > 0xFFFF:
            return None
        if got[1] < len(s) and s[got[1]] == ".":
            if (ellipsis < 0 and len(groups) != 6) or len(groups) > 6:
                return None
            v4 = _parse_ipv4(s)
            if v4 is None:
                return None
            groups += [v4 >> 16, v4 & 0xFFFF]
            s = ""
            break
        groups.append(got[0])
        s = s[got[1] :]
        if not s:
            break
        if s[0] != ":" or len(s) == 1:
            return None
        s = s[1:]
        if s[0] == ":":
            if ellipsis >= 0:
                return None
            ellipsis, s = len(groups), s[1:]
    if s or (ellipsis < 0 and len(groups) < 8) or (ellipsis >= 0 and len(groups) == 8):
        return None
    if ellipsis >= 0:
        groups[ellipsis:ellipsis] = [0] * (8 - len(groups))
    return int.from_bytes(b"".join(g.to_bytes(2, "big") for g in groups), "big")


def _parse_cidr(prefix: str, arg_index: int | None = None) -> _Network:
    """Parse ``address/length`` as Terraform does; a bad prefix is a :class:`FunctionError`."""
    address_text, slash, length_text = prefix.partition("/")
    bits = 32
    address = _parse_ipv4(address_text)
    if address is None:
        bits, address = 128, _parse_ipv6(address_text)
    length = _dtoi(length_text)
    if (
        not slash
        or address is None
        or length is None
        or length[1] != len(length_text)
        or length[0] > bits
    ):
        message = f"invalid CIDR expression: invalid CIDR address: {prefix}"
        raise FunctionError(message, arg_index)
    ones = length[0]
    return _Network(address >> (bits - ones) << (bits - ones), ones, bits)


# ---- formatting (Go's net.IP.String) --------------------------------------------------------


def _ip_string(address: int, bits: int) -> str:
    """An address as Go writes it: dotted IPv4 (also for IPv4-mapped IPv6), else RFC 5952."""
    if bits == 32 or address >> 32 == 0xFFFF:
        return ".".join(str(address >> shift & 0xFF) for shift in (24, 16, 8, 0))
    groups = [address >> (16 * (7 - i)) & 0xFFFF for i in range(8)]
    best_start, best_len = -1, 1  # "::" replaces the first longest run of two or more zeros
    i = 0
    while i < 8:
        j = i
        while j < 8 and groups[j] == 0:
            j += 1
        if j - i > best_len:
            best_start, best_len = i, j - i
        i = max(j, i + 1)
    text = [f"{g:x}" for g in groups]
    if best_start < 0:
        return ":".join(text)
    head, tail = text[:best_start], text[best_start + best_len :]
    return ":".join(head) + "::" + ":".join(tail)


# ---- whole-number arguments ------------------------------------------------------------------


def _whole(value: Value, arg_index: int | None, int64: bool = False) -> int:
    """A number argument that must be whole (and, for Go ``int`` parameters, fit in 64 bits)."""
    n = value.as_number()
    if isinstance(n, Decimal):
        n = v.normalize_number(n)  # a finite integral Decimal becomes an int
    if isinstance(n, int) and (not int64 or _INT64[0] <= n <= _INT64[1]):
        return n
    detail = f", between {_INT64[0]} and {_INT64[1]}" if int64 else ""
    raise FunctionError(f"value must be a whole number{detail}", arg_index)


# ---- the functions ---------------------------------------------------------------------------


def _cidrhost(ctx: FunctionContext, args: list[Value]) -> Value:
    """The address of host number ``hostnum`` in the prefix; negative numbers count back from
    the last address (-1 is the last)."""
    hostnum = _whole(args[1], None)
    net = _parse_cidr(args[0].as_str())
    size = 1 << net.host_bits
    if not -size <= hostnum < size:
        raise FunctionError(f"prefix of {net.ones} does not accommodate a host numbered {hostnum}")
    return v.string_val(_ip_string(net.address + hostnum % size, net.bits))


def _cidrnetmask(ctx: FunctionContext, args: list[Value]) -> Value:
    """The netmask of an IPv4 prefix in dotted form (``/12`` is ``255.240.0.0``)."""
    prefix = args[0].as_str()
    net = _parse_cidr(prefix)
    if net.bits == 128 and net.address >> 32 != 0xFFFF:
        raise FunctionError(f"IPv6 addresses cannot have a netmask: {prefix}")
    mask = ((1 << net.ones) - 1) << net.host_bits
    return v.string_val(_ip_string(mask, net.bits))


def _cidrsubnet(ctx: FunctionContext, args: list[Value]) -> Value:
    """Subnet number ``netnum`` of the prefix extended by ``newbits`` bits."""
    newbits = _whole(args[1], None, int64=True)
    netnum = _whole(args[2], None)
    net = _parse_cidr(args[0].as_str())
    ones = net.ones + newbits
    if newbits < 0:
        raise FunctionError(f"cannot extend a prefix of {net.ones} by {newbits} bits", 1)
    if ones > net.bits:
        raise FunctionError(
            f"insufficient address space to extend prefix of {net.ones} by {newbits}"
        )
    if not 0 <= netnum < 1 << newbits:
        raise FunctionError(
            f"prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        )
    return v.string_val(str(_Network(net.address | netnum << (net.bits - ones), ones, net.bits)))


def _cidrsubnets(ctx: FunctionContext, args: list[Value]) -> Value:
    """Consecutive subnets of the prefix, one per ``newbits`` argument, each placed at the
    first address after the previous one that is aligned to its size."""
    net = _parse_cidr(args[0].as_str(), 0)
    family = "IPv4" if net.bits == 32 else "IPv6"
    cursor = net.address  # the first address not yet allocated
    results: list[Value] = []
    previous = ""
    for i, arg in enumerate(args[1:], start=1):
        newbits = _whole(arg, i, int64=True)
        if newbits < 1:
            raise FunctionError("must extend prefix by at least one bit", i)
        if newbits > 32:
            raise FunctionError("may not extend prefix by more than 32 bits", i)
        ones = net.ones + newbits
        if ones > net.bits:
            raise FunctionError(
                f"would extend prefix to {ones} bits, which is too long for an {family} address",
                i,
            )
        size = 1 << (net.bits - ones)
        start = -(-cursor // size) * size  # cursor rounded up to a multiple of size
        if start >> net.bits or not net.contains(start):
            raise FunctionError(
                "not enough remaining address space for a subnet with a prefix of "
                f"{ones} bits after {previous}",
                i,
            )
        subnet = _Network(start, ones, net.bits)
        previous = str(subnet)
        results.append(v.string_val(previous))
        cursor = start + size
    return v.list_val(results, t.STRING)


FUNCTIONS: tuple[Function, ...] = (
    simple(
        "cidrhost",
        [("prefix", t.STRING), ("hostnum", t.NUMBER)],
        t.STRING,
        _cidrhost,
        description="The address of a numbered host within an IP network prefix.",
    ),
    simple(
        "cidrnetmask",
        [("prefix", t.STRING)],
        t.STRING,
        _cidrnetmask,
        description="The dotted netmask of an IPv4 network prefix.",
    ),
    simple(
        "cidrsubnet",
        [("prefix", t.STRING), ("newbits", t.NUMBER), ("netnum", t.NUMBER)],
        t.STRING,
        _cidrsubnet,
        description="A numbered subnet of an IP network prefix.",
    ),
    simple(
        "cidrsubnets",
        [("prefix", t.STRING)],
        t.ListType(t.STRING),
        _cidrsubnets,
        variadic=Param("newbits", t.NUMBER),
        description="Consecutive subnets of an IP network prefix, of the given sizes.",
    ),
)
