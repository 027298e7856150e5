"""Word lists for ``random_pet``: adverbs, adjectives and animals, all lower-case ASCII words
written for gitterra. A name of N words is N-2 adverbs, an adjective and an animal (one word is
just an animal), as the real provider composes them.
"""

from __future__ import annotations

from typing import Final


def _words(text: str) -> tuple[str, ...]:
    words = tuple(text.split())
    assert len(set(words)) == len(words), "duplicate words"
    return words


ADVERBS: Final = _words(
    """
    ably abruptly absently actively adroitly aptly airily amply angrily anxiously artfully
    avidly awkwardly badly barely blindly blithely boldly bravely briefly brightly briskly
    broadly busily calmly carefully casually cheerfully cleanly clearly cleverly closely
    coolly correctly crisply curiously daily daringly dearly deeply deftly dimly directly
    eagerly early easily evenly exactly fairly faithfully frankly finely firmly fondly freely
    freshly fully gently gladly gracefully greatly happily hardly heartily highly honestly
    hugely humbly idly jointly jovially justly keenly kindly largely lazily lightly likely
    lively loosely loudly lovingly loyally madly meekly merely mildly mostly neatly newly
    nicely nimbly noisily oddly openly partly patiently plainly politely poorly promptly
    properly proudly purely quickly quietly quirkily rapidly rarely readily really regularly
    richly rightly roughly rudely sadly safely sharply shyly simply slowly smoothly snugly
    softly solely solidly speedily squarely steadily sternly strictly strongly suddenly
    surely sweetly swiftly tenderly thankfully tightly totally truly usefully vainly vastly
    vividly warmly weakly widely wildly willingly wisely yearly zealously
    """
)

ADJECTIVES: Final = _words(
    """
    able active adapted adept agile alert alive amazed amber amused ancient apt arctic ardent
    aware azure balmy basic beloved big bitter blazing bold boreal bouncy brave breezy bright
    brisk broad bronze bubbly busy calm candid capable careful casual champion charming cheery
    chief choice civil classic clean clear clever close cloudy coastal cobalt comic cosmic cozy
    crafty creamy crimson crisp crucial cuddly curious current cute dainty dapper daring dear
    decent deep deft desert devoted direct distant divine dizzy driven dusty eager early easy
    electric elegant emerald epic equal even exact exotic expert fabulous fair faithful famous
    fancy fast fearless feisty fervent festive fiery fine firm fit fleet flowing fluent fluffy
    flying fond frank free fresh friendly frosty full funny fuzzy gallant generous gentle
    genuine giant gifted glad gleaming glowing golden good graceful grand grateful great green
    handy happy hardy harmless healthy hearty helpful heroic honest hopeful humble humorous
    icy ideal immense jolly jovial joyful keen kind large lasting lavish leading legal lemon
    level liberal light likely lilac lively logical loved loyal lucid lucky lunar magical
    main major marine massive mature mellow merry mighty mild misty modern modest moral moving
    musical mutual native natural neat nearby nifty nimble noble normal novel obliging olive
    open optimal orange organic patient peaceful peppy perfect placid plain pleasant plucky
    polar polished polite popular precious premium pretty prime proper proud prudent pure
    quick quiet quirky radiant rapid rare ready real regal relaxed relevant renewed resolute
    rich robust rosy round royal ruby rugged rustic sacred safe saving scarlet secure select
    serene sharp shining shiny silent silky silver simple sincere sleek smart smiling smooth
    snappy snowy social solar solid sound sparkling special speedy spicy splendid sporty
    stable stellar steady still stirring striking strong sturdy suave sublime sunny super
    superb supreme sure swift tender thankful thorough tidy tight topical tough tranquil
    tropical true trusty ultimate unique upbeat usable valid valued vast velvet verified vital
    vivid warm wealthy welcome whole wild willing winning wise witty wondrous worthy young
    zany zesty
    """
)

ANIMALS: Final = _words(
    """
    aardvark albatross alpaca anchovy anole ant anteater antelope ape armadillo asp baboon
    badger barracuda basilisk bass bat bear beaver bee beetle bison blackbird bluebird boa
    boar bobcat bonobo buffalo bull bunny buzzard camel canary capybara cardinal caribou carp
    cat catfish cattle chamois cheetah chicken chimp chinchilla chipmunk cicada clam cobra
    cod condor coral cougar cow coyote crab crane crayfish cricket crow cuckoo dingo dodo
    dog dolphin donkey dove dragon dragonfly duck eagle eel egret eland elephant elk emu
    falcon ferret finch firefly flamingo flounder fly fox frog gazelle gecko gerbil gibbon
    giraffe gnat gnu goat goldfish goose gopher gorilla grouse gull haddock halibut hamster
    hare hawk hedgehog heron herring hippo hornet horse hound hummingbird hyena ibex ibis
    iguana impala jackal jaguar jay jellyfish kangaroo kingfisher kite kitten kiwi koala
    koi krill ladybug lamb lark lemming lemur leopard lion lizard llama lobster locust loon
    lynx macaw mackerel magpie mallard mammoth manatee mandrill marlin marmot marten meerkat
    mink mole mongoose monkey moose moth mouse mule muskrat narwhal newt nightingale ocelot
    octopus opossum orca oriole osprey ostrich otter owl ox oyster panda panther parrot
    partridge peacock pelican penguin perch pheasant pig pigeon pika pike piranha platypus
    pony porcupine porpoise possum prawn puffin puma python quail rabbit raccoon ram raven
    reindeer rhino robin rooster salamander salmon sardine scorpion seahorse seal shark
    sheep shrew shrimp skunk sloth slug snail snake sparrow spider squid squirrel starfish
    stingray stork sturgeon swallow swan swift tapir tarpon termite tern tiger toad tortoise
    toucan trout tuna turkey turtle urchin vicuna viper vole vulture walrus wasp weasel whale
    wildcat wolf wombat woodpecker worm wren yak zebra
    """
)
