package dev.form.queue.kafka;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The commit point of a partition whose messages finish out of order: never past an unfinished one. */
class PartitionProgressTest {

    @Test
    void theCommitPointStopsAtTheFirstUnfinishedMessage() {
        PartitionProgress p = new PartitionProgress();
        for (long o = 10; o < 15; o++) p.taken(o);
        p.finished(11);
        p.finished(12);
        assertThat(p.commitPoint()).as("10 is still being applied: nothing after it may be committed").isEqualTo(10);
        assertThat(p.unfinished()).isEqualTo(3);
        p.finished(10);
        assertThat(p.commitPoint()).as("10 to 12 done, 13 not").isEqualTo(13);
        p.finished(14);
        p.finished(13);
        assertThat(p.commitPoint()).as("all done: one past the last taken").isEqualTo(15);
        assertThat(p.unfinished()).isZero();
    }

    @Test
    void eachCommitPointIsAskedForOnceUnlessItsCommitFailed() {
        PartitionProgress p = new PartitionProgress();
        p.taken(0);
        p.taken(1);
        p.finished(0);
        assertThat(p.toCommit()).isEqualTo(1);
        assertThat(p.toCommit()).as("already asked for, not confirmed yet").isEqualTo(-1);
        p.commitFailed(1);
        assertThat(p.toCommit()).as("the failed commit is asked for again").isEqualTo(1);
        p.commitSucceeded(1);
        assertThat(p.toCommit()).isEqualTo(-1);
        p.finished(1);
        assertThat(p.toCommit()).isEqualTo(2);
        p.commitSucceeded(2);
        p.taken(2);
        assertThat(p.toCommit()).as("a new message that is not finished does not move the point").isEqualTo(-1);
    }

    @Test
    void aFinishedMessageThatWasNeverTakenChangesNothing() {
        PartitionProgress p = new PartitionProgress();
        p.taken(5);
        p.finished(7);
        assertThat(p.commitPoint()).isEqualTo(5);
        assertThat(p.unfinished()).isEqualTo(1);
        assertThat(new PartitionProgress().toCommit()).as("nothing taken: nothing to commit").isEqualTo(-1);
    }
}
