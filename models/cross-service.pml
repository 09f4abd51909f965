/*
 * The cross-service TCC protocol (docs/how-it-works.md, "The model of the cross-service protocol").
 *
 * One transaction: an initiator (whose service also holds the coordinator's log) tries N branches,
 * each in its own participant service with its own barrier row. Modelled:
 *  - lost try answers: a try that committed but whose answer never came back, and a try still in
 *    flight when the caller times out (it may arrive late, after the cancel);
 *  - the initiator on a timeout cancels the branch through the participant endpoint, then user code
 *    swallows the error (the transaction may still confirm without that branch) or gives up;
 *  - a crashing initiator at every step, and recovery re-driving a decided transaction;
 *  - duplicated and late phase-two calls (each delivery may be sent twice and arrives at any time);
 *  - hold expiry at any moment once a branch is TRIED (clocks of different services are not trusted,
 *    so no margin is assumed): it asks the coordinator per branch, and the question fences (records
 *    a cancel for an undecided/unknown xid before answering);
 *  - a coordinator that becomes unreachable for good: only then a participant expires alone, and
 *    only then may a confirm be refused (HEURISTIC, marked by alone[i]).
 *
 * Abstractions: the question and applying its answer are one step (the barrier's conditional update
 * makes a later apply equivalent); a question whose answer is lost is asked again and gets the same
 * answer, so it is not modelled; the confirm's safety margin is not modelled (the model must be safe
 * without it); the begin record and the transaction timeout are left out (hold expiry suffices).
 *
 * Broken variants: -DPER_TRANSACTION_QUESTION (a confirm decision answers confirm for every branch),
 * -DNO_FENCE (the question reads "undecided" and the participant expires without recording a cancel),
 * -DNEVER_EXPIRE_ALONE (a participant waits for the coordinator forever: its hold may never end).
 */

#ifndef N
#define N 2               /* branches tried; 3 also verifies (-DN=3), with a much larger state space */
#endif
#define MAXN 3            /* array size: the invariants name branches 0..2 */

/* barrier states */
#define NONE      0
#define TRIED     1
#define CONFIRMED 2
#define CANCELLED 3

/* decisions in the coordinator's log (a cancel tombstone for an unknown xid is CANCEL with no branches) */
#define UNDEC   0
#define CONFIRM 1
#define CANCEL  2

/* try answers as the initiator receives them (NOANSWER: lost or not yet sent) */
#define NOANSWER 0
#define OK       1
#define FAILED   2

byte bar[MAXN];          /* participant side: the barrier row of each branch */
byte answer[MAXN];       /* the try answer that reached the initiator */
byte tryMsg[MAXN];       /* try requests in flight */
byte confirmMsg[MAXN];   /* confirm deliveries in flight (duplicates counted) */
byte cancelMsg[MAXN];    /* cancel deliveries in flight */
byte tryRuns[MAXN];
byte confirmRuns[MAXN];
byte cancelRuns[MAXN];
bool refused[MAXN];      /* a confirm found the row CANCELLED */
bool cancelRefused[MAXN];/* a cancel found the row CONFIRMED */
bool alone[MAXN];        /* the hold expired without the coordinator's answer */

byte dec = UNDEC;     /* coordinator side: the decision, written once */
bool listed[MAXN];       /* the decision's branch list, fixed with the decision */
bool registered[MAXN];   /* branches whose try answer the initiator got */
bool crashed;
bool unreachable;     /* the coordinator cannot be reached by participants (for good) */

#ifdef NEVER_EXPIRE_ALONE
#define EXPIRES_ALONE false
#else
#define EXPIRES_ALONE true
#endif

#define HEURISTIC (alone[0] || alone[1] || alone[2])

/* no listed branch confirmed while another listed one is cancelled (except HEURISTIC) */
#define MIXED(a, b) (listed[a] && listed[b] && bar[a] == CONFIRMED && bar[b] == CANCELLED)
#define NOT_MIXED (HEURISTIC || !(MIXED(0,1) || MIXED(1,0) || MIXED(0,2) || MIXED(2,0) || MIXED(1,2) || MIXED(2,1)))
/* a branch is confirmed only by a confirm decision that lists it */
#define CONFIRMED_OK(i) (bar[i] != CONFIRMED || (dec == CONFIRM && listed[i]))
/* every body at most once, never both; a refusal only after expiring alone */
#define ONCE(i) (tryRuns[i] <= 1 && confirmRuns[i] <= 1 && cancelRuns[i] <= 1 && !(confirmRuns[i] > 0 && cancelRuns[i] > 0))
#define REFUSAL_OK(i) ((!refused[i] && !cancelRefused[i]) || alone[i])
#define BRANCH_OK(i) (CONFIRMED_OK(i) && ONCE(i) && REFUSAL_OK(i))
#define SAFE (NOT_MIXED && BRANCH_OK(0) && BRANCH_OK(1) && BRANCH_OK(2))

#define NO_HOLD (bar[0] != TRIED && bar[1] != TRIED && bar[2] != TRIED)

ltl safe { [] SAFE }
ltl holds_end { <> [] NO_HOLD }
/* expected to FAIL: the HEURISTIC outcome is reachable (only after expiring alone), so SAFE's exemption is not empty */
ltl never_heuristic { [] !(refused[0] || refused[1] || refused[2]) }

inline confirmBranch(i) {
    if
    :: bar[i] == TRIED -> bar[i] = CONFIRMED; confirmRuns[i]++
    :: bar[i] == CONFIRMED -> skip                  /* duplicate: success, nothing runs */
    :: bar[i] == CANCELLED -> refused[i] = true     /* expired: the coordinator records it */
    :: bar[i] == NONE -> assert(false)              /* only tried branches are listed */
    fi
}

inline cancelBranch(i) {
    if
    :: bar[i] == NONE -> bar[i] = CANCELLED         /* empty cancel: blocks a late try */
    :: bar[i] == TRIED -> bar[i] = CANCELLED; cancelRuns[i]++
    :: bar[i] == CANCELLED -> skip
    :: bar[i] == CONFIRMED -> cancelRefused[i] = true
    fi
}

/* the decision question for branch i, answered atomically by the coordinator's log */
inline ask(i, ans) {
    if
    :: dec == UNDEC ->
#ifndef NO_FENCE
       dec = CANCEL;                                /* the fence: no confirm after this answer */
#endif
       ans = CANCEL
    :: dec == CANCEL -> ans = CANCEL
    :: dec == CONFIRM ->
#ifdef PER_TRANSACTION_QUESTION
       ans = CONFIRM
#else
       if
       :: listed[i] -> ans = CONFIRM
       :: else -> ans = CANCEL                      /* a try whose answer was lost */
       fi
#endif
    fi
}

proctype Participant(byte i) {
    byte ans;
end:
    do
    :: atomic { tryMsg[i] > 0 -> tryMsg[i]--;
           if
           :: bar[i] == NONE ->
              if
              :: bar[i] = TRIED; tryRuns[i]++;
                 if
                 :: answer[i] = OK
                 :: skip                            /* committed, but the answer is lost */
                 fi
              :: answer[i] = FAILED                 /* the body failed: its row rolled back */
              fi
           :: else -> answer[i] = FAILED            /* refused: a cancel got there first */
           fi }
    :: atomic { confirmMsg[i] > 0 -> confirmMsg[i]--; confirmBranch(i) }
    :: atomic { cancelMsg[i] > 0 -> cancelMsg[i]--; cancelBranch(i) }
    :: atomic { bar[i] == TRIED && (!unreachable || EXPIRES_ALONE) ->   /* the hold runs out */
           if
           :: !unreachable -> ask(i, ans)
           :: unreachable -> alone[i] = true; ans = CANCEL
           fi;
           if
           :: ans == CONFIRM -> confirmBranch(i)
           :: else -> cancelBranch(i)
           fi;
           if
           :: alone[i] && cancelRefused[i] -> cancelRefused[i] = false  /* confirmed meanwhile: stands */
           :: else -> skip
           fi }
    od
}

/* sends the decision to every listed branch, each delivery once or twice; may crash in between */
inline phaseTwo() {
    j = 0;
    do
    :: j < N ->
       if
       :: listed[j] && dec == CONFIRM -> if :: confirmMsg[j]++ :: confirmMsg[j] = confirmMsg[j] + 2 fi
       :: listed[j] && dec == CANCEL -> if :: cancelMsg[j]++ :: cancelMsg[j] = cancelMsg[j] + 2 fi
       :: else -> skip
       fi;
       if
       :: j++
       :: goto crash
       fi
    :: else -> break
    od
}

proctype Initiator() {
    byte i = 0;
    byte j;
    bool abort = false;
    do
    :: i < N && !abort ->
       tryMsg[i] = 1;
       if
       :: answer[i] == OK -> registered[i] = true
       :: answer[i] == FAILED -> abort = true
       :: true ->                                   /* timeout: answer lost or try still in flight */
          if
          :: cancelMsg[i]++                         /* cancelled through the endpoint it called */
          :: goto crash
          fi;
          if
          :: skip                                   /* user code swallows the error */
          :: abort = true
          fi
       :: goto crash
       fi;
       i++
    :: else -> break
    od;
    atomic {
       if
       :: dec == UNDEC ->                           /* one conditional write: the decision and its branch list */
          dec = (abort -> CANCEL : CONFIRM);
          j = 0;
          do
          :: j < N -> listed[j] = registered[j]; j++
          :: else -> break
          od
       :: else -> skip                              /* a question's fence got there first */
       fi
    }
    if
    :: dec == CANCEL ->                             /* also cancels what it registered when it lost the race */
       j = 0;
       do
       :: j < N -> if :: registered[j] && !listed[j] -> cancelMsg[j]++ :: else -> skip fi; j++
       :: else -> break
       od
    :: else -> skip
    fi;
    phaseTwo();
    goto done;
crash:
    crashed = true;
done:
    skip
}

/* coordinator recovery after the initiator crashed: re-drives a decided transaction once more */
proctype Recovery() {
    byte j;
end:
    (crashed && dec != UNDEC);                      /* never, when the initiator does not crash */
    phaseTwo();
crash:
    skip
}

proctype Outage() {
    unreachable = true
}

init {
    atomic {
        run Participant(0);
        run Participant(1);
#if N == 3
        run Participant(2);
#endif
        run Initiator();
        run Recovery();
        if
        :: run Outage()
        :: skip
        fi
    }
}
