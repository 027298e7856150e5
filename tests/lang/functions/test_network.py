"""IP network functions: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets."""

from __future__ import annotations

import ipaddress
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gitterra import lang
from tests.lang.functions.conftest import Call, call_function


def error_of(name: str, *args: object) -> lang.FunctionError:
    with pytest.raises(lang.FunctionError) as info:
        call_function(name, *args)
    return info.value


def strings(*items: str) -> lang.Value:
    return lang.list_val([lang.string_val(s) for s in items], lang.STRING)


# ---- cidrhost --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "hostnum", "want"),
    [
        # The documentation's examples.
        ("10.12.112.0/20", 16, "10.12.112.16"),
        ("10.12.112.0/20", 268, "10.12.113.12"),
        ("fd00:fd12:3456:7890:00a2::/72", 34, "fd00:fd12:3456:7890::22"),
        ("10.0.0.0/8", 2, "10.0.0.2"),
        ("10.0.0.0/8", -2, "10.255.255.254"),
        ("10.1.2.240/28", 1, "10.1.2.241"),
        ("10.1.2.240/28", 14, "10.1.2.254"),
        # Terraform's own tests.
        ("192.168.1.0/24", 5, "192.168.1.5"),
        ("192.168.1.0/24", -5, "192.168.1.251"),
        ("192.168.1.0/24", -256, "192.168.1.0"),
        ("010.001.0.0/24", 6, "10.1.0.6"),
        # Edges: host bits set in the prefix are ignored, /32, /0, IPv6 ends.
        ("192.168.1.77/24", 0, "192.168.1.0"),
        ("192.168.1.1/32", 0, "192.168.1.1"),
        ("192.168.1.1/32", -1, "192.168.1.1"),
        ("0.0.0.0/0", -1, "255.255.255.255"),
        ("::/0", -1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("::/0", 1, "::1"),
        ("2001:db8::/32", 2**96 - 1, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("2001:DB8:0:0:1::/80", 0, "2001:db8:0:0:1::"),
        ("2001:DB8:0:0:1::/64", 0, "2001:db8::"),
        ("2001:db8::/126", 3, "2001:db8::3"),
        ("2001:0:0:1::/64", 0, "2001:0:0:1::"),
        ("::ffff:10.0.0.0/104", 1, "10.0.0.1"),
        ("::/0", 0xFFFF00000001, "0.0.0.1"),  # Go writes any IPv4-mapped address dotted
        ("10.0.0.0/8", Decimal("5.0"), "10.0.0.5"),
        ("10.0.0.0/8", "7", "10.0.0.7"),
    ],
)
def test_cidrhost(call: Call, prefix: str, hostnum: object, want: str) -> None:
    assert call("cidrhost", prefix, hostnum) == lang.string_val(want)


@pytest.mark.parametrize(
    ("prefix", "hostnum", "message"),
    [
        ("192.168.1.0/30", 255, "prefix of 30 does not accommodate a host numbered 255"),
        ("192.168.1.0/30", 4, "prefix of 30 does not accommodate a host numbered 4"),
        ("192.168.1.0/30", -5, "prefix of 30 does not accommodate a host numbered -5"),
        ("192.168.1.0/30", -255, "prefix of 30 does not accommodate a host numbered -255"),
        (
            "10.0.0.0/8",
            2**64,
            "prefix of 8 does not accommodate a host numbered 18446744073709551616",
        ),
        ("not-a-cidr", 6, "invalid CIDR expression: invalid CIDR address: not-a-cidr"),
        ("10.256.0.0/8", 6, "invalid CIDR expression: invalid CIDR address: 10.256.0.0/8"),
        ("10.0.0.0/8", 0.75, "value must be a whole number"),
    ],
)
def test_cidrhost_errors(prefix: str, hostnum: object, message: str) -> None:
    err = error_of("cidrhost", prefix, hostnum)
    assert (err.message, err.arg_index) == (message, None)


# ---- prefix parsing (shared by all four functions) -------------------------------------------


@pytest.mark.parametrize(
    "prefix",
    [
        "10.0.0.0",
        "10.0.0.0/",
        "10.0.0.0/33",
        "10.0.0.0/-1",
        "10.0.0.0/+8",
        "10.0.0.0/8 ",
        " 10.0.0.0/8",
        "10.0.0/8",
        "10.0.0.0.0/8",
        "1e.0.0.0/8",
        "0x10.0.0.0/8",
        "10.0.0.0/8/8",
        "::/129",
        ":::/64",
        "1::2::3/64",
        "1:2:3:4:5:6:7:8:9/64",
        "1:2:3:4:5:6:7/64",
        "1:2:3:4:5:6:7:8::/64",
        "12345::/16",
        "1:/64",
        "1.2.3.4::/64",
        "::1.2.3.4.5/64",
        "1:2:3:4:5:6:7:1.2.3.4/64",
        "fe80::1%eth0/64",
        "",
        "/8",
    ],
)
def test_invalid_prefixes(prefix: str) -> None:
    err = error_of("cidrnetmask", prefix)
    assert err.message == f"invalid CIDR expression: invalid CIDR address: {prefix}"


@pytest.mark.parametrize(
    ("prefix", "want"),
    [
        ("010.001.000.000/16", "10.1.0.0/16"),  # leading zeros are decimal, not octal
        ("10.1.0.0/016", "10.1.0.0/16"),
        ("::/0", "::/0"),
        ("0000:0000::0001:0/112", "::1:0/112"),
        ("2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128"),  # first longest zero run
        ("2001:0:0:1:0:0:0:1/128", "2001:0:0:1::1/128"),
        ("1:0:2:0:3:0:4:0/128", "1:0:2:0:3:0:4:0/128"),  # single zero groups stay
        ("::1.2.3.4/128", "::102:304/128"),
        ("1:2:3:4:5:6:1.2.3.4/128", "1:2:3:4:5:6:102:304/128"),
        ("::ffff:1.2.3.4/128", "1.2.3.4/32"),
        ("::ffff:102:304/120", "1.2.3.0/24"),
        ("::FFFF:0:0/96", "0.0.0.0/0"),
        ("::ffff:0:0/95", "::fffe:0:0/95"),
    ],
)
def test_prefixes_are_normalised(call: Call, prefix: str, want: str) -> None:
    assert call("cidrsubnet", prefix, 0, 0) == lang.string_val(want)


# ---- cidrnetmask -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "want"),
    [
        ("172.16.0.0/12", "255.240.0.0"),
        ("192.168.1.0/24", "255.255.255.0"),
        ("192.168.1.0/32", "255.255.255.255"),
        ("0.0.0.0/0", "0.0.0.0"),
        ("010.001.0.0/24", "255.255.255.0"),
        ("10.0.0.0/17", "255.255.128.0"),
        # Go treats an IPv4-mapped prefix as IPv4 but writes its 128-bit mask.
        ("::ffff:10.0.0.0/104", "ffff:ffff:ffff:ffff:ffff:ffff:ff00:0"),
    ],
)
def test_cidrnetmask(call: Call, prefix: str, want: str) -> None:
    assert call("cidrnetmask", prefix) == lang.string_val(want)


@pytest.mark.parametrize("prefix", ["1::/64", "::/0", "fe80::/10"])
def test_cidrnetmask_refuses_ipv6(prefix: str) -> None:
    err = error_of("cidrnetmask", prefix)
    assert err.message == f"IPv6 addresses cannot have a netmask: {prefix}"


# ---- cidrsubnet ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "newbits", "netnum", "want"),
    [
        # The documentation's examples.
        ("172.16.0.0/12", 4, 2, "172.18.0.0/16"),
        ("10.1.2.0/24", 4, 15, "10.1.2.240/28"),
        ("fd00:fd12:3456:7890::/56", 16, 162, "fd00:fd12:3456:7800:a200::/72"),
        # Terraform's own tests.
        ("192.168.2.0/20", 4, 6, "192.168.6.0/24"),
        ("fe80::/48", 16, 6, "fe80:0:0:6::/64"),
        ("::ffff:192.168.0.0/112", 8, 6, "192.168.6.0/24"),
        ("fe80::/48", 33, 6, "fe80::3:0:0:0/81"),
        ("010.001.0.0/24", 4, 1, "10.1.0.16/28"),
        # Edges.
        ("10.0.0.0/8", 0, 0, "10.0.0.0/8"),
        ("10.0.0.0/8", 24, 2**24 - 1, "10.255.255.255/32"),
        ("0.0.0.0/0", 1, 1, "128.0.0.0/1"),
        ("::/0", 128, 2**128 - 1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
        ("::/0", 64, 2**64 - 1, "ffff:ffff:ffff:ffff::/64"),
        ("10.0.0.0/8", "8", "3", "10.3.0.0/16"),
    ],
)
def test_cidrsubnet(call: Call, prefix: str, newbits: object, netnum: object, want: str) -> None:
    assert call("cidrsubnet", prefix, newbits, netnum) == lang.string_val(want)


@pytest.mark.parametrize(
    ("args", "message", "index"),
    [
        (("192.168.0.0/30", 4, 6), "insufficient address space to extend prefix of 30 by 4", None),
        (("10.0.0.0/8", 25, 0), "insufficient address space to extend prefix of 8 by 25", None),
        (
            ("192.168.0.0/16", 2, 16),
            "prefix extension of 2 does not accommodate a subnet numbered 16",
            None,
        ),
        (
            ("192.168.0.0/16", 2, -1),
            "prefix extension of 2 does not accommodate a subnet numbered -1",
            None,
        ),
        (("192.168.0.0/16", -1, 0), "cannot extend a prefix of 16 by -1 bits", 1),
        (("not-a-cidr", 4, 6), "invalid CIDR expression: invalid CIDR address: not-a-cidr", None),
        (
            ("10.256.0.0/8", 4, 6),
            "invalid CIDR expression: invalid CIDR address: 10.256.0.0/8",
            None,
        ),
        (
            ("10.0.0.0/8", 2 / 3, 0),
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
            None,
        ),
        (
            ("10.0.0.0/8", 2**63, 0),
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
            None,
        ),
        (("10.0.0.0/8", 4, 0.75), "value must be a whole number", None),
    ],
)
def test_cidrsubnet_errors(args: tuple[object, ...], message: str, index: int | None) -> None:
    err = error_of("cidrsubnet", *args)
    assert (err.message, err.arg_index) == (message, index)


# ---- cidrsubnets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "newbits", "want"),
    [
        # The documentation's examples.
        (
            "10.1.0.0/16",
            [4, 4, 8, 4],
            ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"],
        ),
        (
            "fd00:fd12:3456:7890::/56",
            [16, 16, 16, 32],
            [
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88",
            ],
        ),
        ("10.0.0.0/8", [8, 8, 8, 8], ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"]),
        ("10.2.0.0/16", [4, 4], ["10.2.0.0/20", "10.2.16.0/20"]),
        # Terraform's own tests.
        (
            "10.0.0.0/21",
            [3, 3, 3, 4, 4, 4, 7, 7, 7],
            [
                "10.0.0.0/24",
                "10.0.1.0/24",
                "10.0.2.0/24",
                "10.0.3.0/25",
                "10.0.3.128/25",
                "10.0.4.0/25",
                "10.0.4.128/28",
                "10.0.4.144/28",
                "10.0.4.160/28",
            ],
        ),
        ("010.0.0.0/21", [3], ["10.0.0.0/24"]),
        # Edges: no newbits, a small block before a big one, the whole space, address zero
        # (where Terraform fails: hashicorp/terraform#35486), an IPv4-mapped prefix.
        ("10.0.0.0/8", [], []),
        ("10.0.0.0/24", [2, 1], ["10.0.0.0/26", "10.0.0.128/25"]),
        ("0.0.0.0/0", [1, 1], ["0.0.0.0/1", "128.0.0.0/1"]),
        ("0.0.0.0/1", [1, 1], ["0.0.0.0/2", "64.0.0.0/2"]),
        ("::/0", [1, 2, 2], ["::/1", "8000::/2", "c000::/2"]),
        ("::ffff:10.0.0.0/104", [8, 8], ["10.0.0.0/16", "10.1.0.0/16"]),
        ("10.0.0.0/8", ["24"], ["10.0.0.0/32"]),
    ],
)
def test_cidrsubnets(call: Call, prefix: str, newbits: list[object], want: list[str]) -> None:
    assert call("cidrsubnets", prefix, *newbits) == strings(*want)


@pytest.mark.parametrize(
    ("prefix", "newbits", "message", "index"),
    [
        (
            "10.0.0.0/30",
            [1, 3],
            "would extend prefix to 33 bits, which is too long for an IPv4 address",
            2,
        ),
        (
            "fe80::/120",
            [9],
            "would extend prefix to 129 bits, which is too long for an IPv6 address",
            1,
        ),
        (
            "10.0.0.0/8",
            [1, 1, 1],
            "not enough remaining address space for a subnet with a prefix of 9 bits after 10.128.0.0/9",
            3,
        ),
        (
            "10.0.0.0/24",
            [1, 2, 2, 2],
            "not enough remaining address space for a subnet with a prefix of 26 bits after 10.0.0.192/26",
            4,
        ),
        ("10.0.0.0/8", [1, 0], "must extend prefix by at least one bit", 2),
        ("10.0.0.0/8", [1, -1], "must extend prefix by at least one bit", 2),
        ("fe80::/48", [1, 33], "may not extend prefix by more than 32 bits", 2),
        (
            "10.0.0.0/8",
            [1.5],
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
            1,
        ),
        ("10.0.0.0", [1], "invalid CIDR expression: invalid CIDR address: 10.0.0.0", 0),
    ],
)
def test_cidrsubnets_errors(prefix: str, newbits: list[object], message: str, index: int) -> None:
    err = error_of("cidrsubnets", prefix, *newbits)
    assert (err.message, err.arg_index) == (message, index)


# ---- properties against Python's ipaddress ---------------------------------------------------


@st.composite
def networks(draw: st.DrawFn) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    version = draw(st.sampled_from([4, 6]))
    bits = 32 if version == 4 else 128
    ones = draw(st.integers(min_value=0, max_value=bits))
    address = draw(st.integers(min_value=0, max_value=2**bits - 1))
    net = ipaddress.ip_network((address, ones), strict=False)
    if isinstance(net, ipaddress.IPv6Network) and net.network_address.ipv4_mapped:
        net = ipaddress.ip_network((0x2001 << 112, ones), strict=False)
    return net


@given(networks(), st.data())
def test_cidrhost_matches_ipaddress(
    net: ipaddress.IPv4Network | ipaddress.IPv6Network, data: st.DataObject
) -> None:
    hostnum = data.draw(st.integers(min_value=-net.num_addresses, max_value=net.num_addresses - 1))
    want = net.network_address + (hostnum % net.num_addresses)
    assume(not (isinstance(want, ipaddress.IPv6Address) and want.ipv4_mapped))  # Go: dotted
    assert call_function("cidrhost", str(net), hostnum).as_str() == want.compressed


@given(networks(), st.data())
def test_cidrsubnet_matches_ipaddress(
    net: ipaddress.IPv4Network | ipaddress.IPv6Network, data: st.DataObject
) -> None:
    newbits = data.draw(
        st.integers(min_value=0, max_value=min(32, net.max_prefixlen - net.prefixlen))
    )
    netnum = data.draw(st.integers(min_value=0, max_value=2**newbits - 1))
    size = 2 ** (net.max_prefixlen - net.prefixlen - newbits)
    want = type(net)((int(net.network_address) + netnum * size, net.prefixlen + newbits))
    assume(not (isinstance(want, ipaddress.IPv6Network) and want.network_address.ipv4_mapped))
    got = call_function("cidrsubnet", str(net), newbits, netnum).as_str()
    assert got == want.compressed
    if isinstance(net, ipaddress.IPv4Network):
        assert call_function("cidrnetmask", str(net)).as_str() == str(net.netmask)


def allocate(
    net: ipaddress.IPv4Network | ipaddress.IPv6Network, newbits: list[int]
) -> list[str] | None:
    """A reference model of cidrsubnets: each block at the next address aligned to its size."""
    cursor, end, found = int(net.network_address), int(net.broadcast_address), []
    for n in newbits:
        size = 2 ** (net.max_prefixlen - net.prefixlen - n)
        start = -(-cursor // size) * size
        if start + size - 1 > end:
            return None
        found.append(type(net)((start, net.prefixlen + n)).compressed)
        cursor = start + size
    return found


@given(networks(), st.lists(st.integers(min_value=1, max_value=8), max_size=6))
def test_cidrsubnets_match_reference_allocation(
    net: ipaddress.IPv4Network | ipaddress.IPv6Network, newbits: list[int]
) -> None:
    assume(net.prefixlen + max(newbits, default=0) <= net.max_prefixlen)
    mapped = ipaddress.ip_network("::ffff:0:0/96")  # Go writes these addresses dotted
    assume(not (isinstance(net, ipaddress.IPv6Network) and net.overlaps(mapped)))
    want = allocate(net, newbits)
    if want is None:
        with pytest.raises(lang.FunctionError, match="not enough remaining address space"):
            call_function("cidrsubnets", str(net), *newbits)
    else:
        assert call_function("cidrsubnets", str(net), *newbits) == strings(*want)


# ---- unknown and sensitive arguments ---------------------------------------------------------

CALLS = [
    ("cidrhost", ["10.0.0.0/8", 2], lang.STRING),
    ("cidrnetmask", ["10.0.0.0/8"], lang.STRING),
    ("cidrsubnet", ["10.0.0.0/8", 8, 2], lang.STRING),
    ("cidrsubnets", ["10.0.0.0/8", 8, 8], lang.ListType(lang.STRING)),
]
POSITIONS = [(name, args, ty, i) for name, args, ty in CALLS for i in range(len(args))]


@pytest.mark.parametrize(("name", "args", "ty", "which"), POSITIONS)
def test_unknown_argument_gives_unknown_result(
    call: Call, name: str, args: list[object], ty: lang.Type, which: int
) -> None:
    values = list(args)
    values[which] = lang.unknown_val(lang.STRING if which == 0 else lang.NUMBER)
    assert call(name, *values) == lang.unknown_val(ty)


@pytest.mark.parametrize(("name", "args", "ty", "which"), POSITIONS)
def test_sensitive_argument_gives_sensitive_result(
    call: Call, name: str, args: list[object], ty: lang.Type, which: int
) -> None:
    values = list(args)
    values[which] = lang.from_python(args[which]).mark_sensitive()
    got = call(name, *values)
    assert got.sensitive
    assert got.type == ty
    assert got.unmark() == call(name, *args)
