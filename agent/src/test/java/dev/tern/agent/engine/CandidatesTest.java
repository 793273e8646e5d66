package dev.tern.agent.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CandidatesTest {

    @Test
    void formattedCandidatesParseBack() {
        String line = Candidates.format(0, "10.0.0.2", 51820);

        assertThat(line).isEqualTo("candidate:1 1 udp 2130706431 10.0.0.2 51820 typ host");
        assertThat(Candidates.parse(line)).contains(new Candidates.Candidate("10.0.0.2", 51820));
    }

    @Test
    void parsesNetBirdStyleCandidatesAndIgnoresWhatIsNotAnIpEndpoint() {
        assertThat(Candidates.parse("candidate:3 1 udp 1694498815 203.0.113.7 40000 typ srflx raddr 0.0.0.0 rport 0"))
                .contains(new Candidates.Candidate("203.0.113.7", 40000));
        assertThat(Candidates.parse("candidate:1 1 udp 2130706431 abc.local 51820 typ host")).isEmpty();
        assertThat(Candidates.parse("candidate:1 1 tcp 2130706431 10.0.0.2 51820 typ host")).isEmpty();
        assertThat(Candidates.parse("candidate:1 1 udp 2130706431 300.0.0.2 51820 typ host")).isEmpty();
        assertThat(Candidates.parse("candidate:1 1 udp 2130706431 10.0.0.2 70000 typ host")).isEmpty();
        assertThat(Candidates.parse("garbage")).isEmpty();
        assertThat(Candidates.parse(null)).isEmpty();
    }

    @Test
    void ipv6CandidatesGetBracketedEndpoints() {
        assertThat(Candidates.parse("candidate:1 1 udp 1 fd00::2 51820 typ host").map(Candidates.Candidate::endpoint))
                .contains("[fd00::2]:51820");
    }

    @Test
    void prefersACandidateOnASharedSubnet() {
        List<Candidates.Candidate> remote = List.of(
                new Candidates.Candidate("192.168.50.7", 51820),
                new Candidates.Candidate("10.77.0.3", 51820));
        List<Candidates.LocalAddress> local = List.of(new Candidates.LocalAddress("10.77.0.2", 24));

        assertThat(Candidates.choose(remote, local)).contains(remote.get(1));
        assertThat(Candidates.choose(remote, List.of(new Candidates.LocalAddress("172.16.0.1", 16))))
                .contains(remote.get(0));
        assertThat(Candidates.choose(List.of(), local)).isEmpty();
    }

    @Test
    void subnetMatchHonoursThePrefixLength() {
        assertThat(Candidates.sameSubnet("10.77.1.3", new Candidates.LocalAddress("10.77.0.2", 24))).isFalse();
        assertThat(Candidates.sameSubnet("10.77.1.3", new Candidates.LocalAddress("10.77.0.2", 16))).isTrue();
        assertThat(Candidates.sameSubnet("10.77.0.2", new Candidates.LocalAddress("10.77.0.2", 32))).isTrue();
    }
}
