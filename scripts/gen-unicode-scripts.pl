#!/usr/bin/env perl
# Prints the script tables of common/regex.c (name TAB ranges) from Perl's Unicode database:
#   perl scripts/gen-unicode-scripts.pl
use strict; use warnings;
# Encodes the code point ranges of a Unicode script in regex.c's compact form.
for my $sc (qw(Arabic Armenian Cyrillic Devanagari Georgian Greek Han Hangul Hebrew Hiragana Katakana Latin Thai)) {
    my @r; my $lo = -1; my $prev = -2;
    for my $cp (0 .. 0x10FFFF) {
        next if $cp >= 0xD800 && $cp <= 0xDFFF;
        my $in = chr($cp) =~ /\p{Script=$sc}/;
        if ($in) { if ($cp == $prev + 1) { $prev = $cp } else { push @r, [$lo, $prev] if $lo >= 0; $lo = $prev = $cp } }
    }
    push @r, [$lo, $prev] if $lo >= 0;
    my $end = -1; my @items;
    for my $x (@r) { my ($a, $b) = @$x; my $gap = $a - ($end + 1); push @items, $b > $a ? sprintf("%x+%x", $gap, $b - $a) : sprintf("%x", $gap); $end = $b; }
    print "$sc\t", join(",", @items), "\n";
}
